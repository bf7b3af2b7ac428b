"""Alembic from code: upgrade to head, and tell whether a database is behind the code or ahead of it."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from alembic import command
from app.db import get_engine

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at this repo's migrations and `database_url`."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["database_url"] = database_url
    return config


class SchemaAheadError(RuntimeError):
    """The database was migrated by newer code than this: migrating cannot help."""


def head_revision(database_url: str) -> str | None:
    """The newest revision this code's migrations know."""
    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


def known_revisions(database_url: str) -> set[str]:
    """Every revision this code's migrations know."""
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config(database_url)).walk_revisions()}


def ahead_message(revisions: set[str] | tuple[str, ...], head: str | None, where: str = "The database") -> str:
    """What to tell someone whose database is at revisions this code does not know."""
    named = ", ".join(sorted(revisions))
    return (
        f"{where} is at schema revision {named}, which this code does not know (its newest is {head}): "
        "the code is older than the database, and migrating cannot fix that. "
        "Deploy the newer code that migrated this database, or, on purpose and after a backup, "
        f"downgrade the database with that newer code (alembic downgrade {head}) before starting this one."
    )


def upgrade(database_url: str) -> None:
    """Bring the database at `database_url` to the newest schema; SchemaAheadError when it is newer."""
    refuse_if_ahead(database_url)
    command.upgrade(alembic_config(database_url), "head")


def current_revisions(database_url: str) -> tuple[str, ...]:
    """The revisions stamped in the database's alembic_version (none for an empty database)."""
    with get_engine(database_url).connect() as conn:
        return tuple(MigrationContext.configure(conn).get_current_heads())


def refuse_if_ahead(database_url: str) -> None:
    """SchemaAheadError naming the revisions when the database is stamped with ones this code lacks."""
    unknown = set(current_revisions(database_url)) - known_revisions(database_url)
    if unknown:
        raise SchemaAheadError(ahead_message(unknown, head_revision(database_url)))


def pending_revisions(database_url: str) -> tuple[str | None, str | None]:
    """(current, head) revisions; equal when the schema is up to date."""
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    with get_engine(database_url).connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return current, head


def ensure_up_to_date(database_url: str) -> None:
    """Refuse to start on a database whose schema is behind the code (naming the fix) or ahead of it."""
    refuse_if_ahead(database_url)
    current, head = pending_revisions(database_url)
    if current != head:
        raise RuntimeError(
            f"The database schema is at revision {current or 'empty'} but the code needs {head}. "
            "Run: python main.py migrate"
        )

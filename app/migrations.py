"""Alembic from code: upgrade to head, and tell whether a database is behind the code."""

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


def upgrade(database_url: str) -> None:
    """Bring the database at `database_url` to the newest schema."""
    command.upgrade(alembic_config(database_url), "head")


def pending_revisions(database_url: str) -> tuple[str | None, str | None]:
    """(current, head) revisions; equal when the schema is up to date."""
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    with get_engine(database_url).connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return current, head


def ensure_up_to_date(database_url: str) -> None:
    """Refuse to start on a database whose schema is behind the code, naming the fix."""
    current, head = pending_revisions(database_url)
    if current != head:
        raise RuntimeError(
            f"The database schema is at revision {current or 'empty'} but the code needs {head}. "
            "Run: python main.py migrate"
        )

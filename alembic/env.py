"""Alembic environment: the app's metadata, the settings' URL, batch mode on SQLite."""

from __future__ import annotations

from alembic import context
from app.db import UTCDateTime, get_engine
from app.models import Base
from settings import settings

config = context.config
target_metadata = Base.metadata


def database_url() -> str:
    """The URL handed in by app.migrations, else the settings' DATABASE_URL."""
    return config.attributes.get("database_url") or settings.database_url


def render_item(type_: str, obj, autogen_context):
    """Render the app's UTCDateTime as a plain timezone-aware DateTime in migrations."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# Kept by hand-written migrations, outside the models' metadata: the lead search index (0012).
UNMODELLED_TABLES = ("leads_search",)
UNMODELLED_INDEXES = {"ix_leads_search_key_trgm"}


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Leave the hand-kept search index (the FTS5 table and its shadow tables, the GIN index) alone."""
    if type_ == "table" and name and name.startswith(UNMODELLED_TABLES):
        return False
    return not (type_ == "index" and name in UNMODELLED_INDEXES)


def run_migrations_offline() -> None:
    """Emit SQL without a connection (`alembic upgrade --sql`)."""
    url = database_url()
    context.configure(
        url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=url.startswith("sqlite")
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations on a live connection."""
    url = database_url()
    with get_engine(url).connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=url.startswith("sqlite"),
            compare_type=True,
            render_item=render_item,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

"""A database migrated by newer code than this is refused with the revisions named and the way out,
by `migrate`, by serving and by the app itself, never with a traceback."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.db import get_engine
from app.main import create_app
from app.migrations import SchemaAheadError, pending_revisions, upgrade
from tests.conftest import make_settings
from tests.test_cli import run_main

FUTURE = "f0f0f0f0f0f0"


def stamp_future(url: str) -> str:
    """Migrate `url`, then stamp a revision this code has never seen; returns this code's head."""
    upgrade(url)
    head = pending_revisions(url)[1]
    with get_engine(url).begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": FUTURE})
    return head


def says_code_is_older(message: str, head: str) -> None:
    assert "older than the database" in message
    assert FUTURE in message and head in message
    assert "Deploy the newer code" in message and "downgrade" in message
    assert "Traceback" not in message


def test_migrate_and_serve_say_the_code_is_older(empty_database):
    head = stamp_future(empty_database)
    env = {"DATABASE_URL": empty_database}
    migrated = run_main("migrate", env=env)
    assert migrated.returncode == 1
    says_code_is_older(migrated.stderr, head)
    served = run_main("--port", "0", env=env)
    assert served.returncode == 1
    says_code_is_older(served.stderr, head)
    assert "python main.py migrate" not in served.stderr
    with get_engine(empty_database).connect() as conn:  # nothing was touched
        assert conn.scalar(text("SELECT version_num FROM alembic_version")) == FUTURE


def test_the_app_refuses_to_start_on_a_newer_schema(empty_database, tmp_path):
    head = stamp_future(empty_database)
    app = create_app(make_settings(empty_database, tmp_path), check_schema=True)
    with pytest.raises(SchemaAheadError) as refused, TestClient(app):
        pass
    says_code_is_older(str(refused.value), head)

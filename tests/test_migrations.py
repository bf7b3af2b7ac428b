"""Alembic owns the schema: upgrade from empty, no drift, downgrade, refusal to start behind."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect

from alembic import command
from app.db import get_engine
from app.main import create_app
from app.migrations import alembic_config, pending_revisions, upgrade
from tests.conftest import make_settings


def test_upgrade_from_empty_has_no_drift_and_downgrades(empty_database):
    assert pending_revisions(empty_database)[0] is None
    upgrade(empty_database)
    current, head = pending_revisions(empty_database)
    assert current == head
    tables = set(inspect(get_engine(empty_database)).get_table_names())
    assert {"users", "audit_log", "login_failures", "alembic_version"} <= tables
    command.check(alembic_config(empty_database))  # raises when models and migrations differ
    command.downgrade(alembic_config(empty_database), "base")
    assert set(inspect(get_engine(empty_database)).get_table_names()) <= {"alembic_version"}
    upgrade(empty_database)
    assert pending_revisions(empty_database)[0] == head


def test_app_refuses_to_start_on_a_database_behind_the_code(empty_database, tmp_path):
    app = create_app(make_settings(empty_database, tmp_path), check_schema=True)
    with pytest.raises(RuntimeError, match=r"python main\.py migrate"), TestClient(app):
        pass
    upgrade(empty_database)
    with TestClient(app) as client:
        assert client.get("/health/db").status_code == 200

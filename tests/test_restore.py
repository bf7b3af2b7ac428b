"""`python main.py restore FILE`: a SQLite backup made by `backup` is copied back (data is back,
the database before is kept), and anything that is not a backup of this app is refused untouched."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from app.auth.models import User
from app.auth.permissions import Role
from app.db import get_engine, session_factory
from app.migrations import upgrade
from tests.conftest import PG_URL
from tests.factories import make_user
from tests.test_cli import run_main
from tests.test_schema_ahead import FUTURE
from tests.workers import create_postgres_database


def usernames(url: str) -> set[str]:
    with session_factory(url)() as db:
        return set(db.scalars(select(User.username)))


def add_user(url: str, name: str) -> None:
    with session_factory(url)() as db:
        make_user(db, Role.SALES, username=name)
        db.commit()


def setup(tmp_path: Path) -> tuple[str, dict[str, str], Path]:
    """A migrated database with user `before`, and a backup of it made by the CLI."""
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    upgrade(url)
    add_user(url, "before")
    env = {"DATABASE_URL": url, "BACKUP_DIR": str(tmp_path / "backups")}
    made = run_main("backup", env=env)
    assert made.returncode == 0, made.stderr
    [backup] = (tmp_path / "backups").glob("crm-*.sqlite3")
    return url, env, backup


def test_backup_change_restore_and_the_data_is_back(tmp_path):
    url, env, backup = setup(tmp_path)
    add_user(url, "after")
    assert usernames(url) == {"before", "after"}
    restored = run_main("restore", str(backup), env=env)
    assert restored.returncode == 0, restored.stderr
    assert usernames(url) == {"before"}
    [safety] = (tmp_path / "backups").glob("pre-restore-*.sqlite3")
    assert str(safety) in restored.stdout
    assert usernames(f"sqlite:///{safety}") == {"before", "after"}  # the database before is kept
    served_again = run_main("migrate", env=env)
    assert served_again.returncode == 0, served_again.stderr


def test_restore_refuses_what_is_not_a_backup_of_this_app(tmp_path):
    url, env, backup = setup(tmp_path)
    add_user(url, "after")
    text = tmp_path / "notes.sqlite3"
    text.write_text("hello")
    foreign = tmp_path / "other.sqlite3"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")
    newer = tmp_path / "newer.sqlite3"
    newer.write_bytes(backup.read_bytes())
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (FUTURE,))
    truncated = tmp_path / "cut.sqlite3"
    truncated.write_bytes(backup.read_bytes()[:5000])
    cases = {
        tmp_path / "missing.sqlite3": "does not exist",
        text: "not a SQLite database",
        foreign: "not a backup of this CRM",
        newer: "older than the database",
        truncated: "",
    }
    for path, reason in cases.items():
        refused = run_main("restore", str(path), env=env)
        assert refused.returncode == 2, (path, refused.stdout)
        assert reason in refused.stderr and "Traceback" not in refused.stderr, refused.stderr
    assert run_main("restore", str(tmp_path / "crm.db"), env=env).returncode == 2  # the live file itself
    assert usernames(url) == {"before", "after"}  # nothing was touched
    assert not list((tmp_path / "backups").glob("pre-restore-*"))


def test_restore_of_postgresql_points_to_pg_restore(tmp_path):
    env = {"DATABASE_URL": "postgresql+psycopg://crm@127.0.0.1:1/crm"}
    refused = run_main("restore", str(tmp_path / "x.pgdump"), env=env)
    assert refused.returncode == 2 and "pg_restore" in refused.stderr


def test_restore_waits_for_nobody_writing_and_says_so(tmp_path):
    _, env, backup = setup(tmp_path)
    writer = sqlite3.connect(tmp_path / "crm.db", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # a running app in the middle of a write
        refused = run_main("restore", str(backup), env=env)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert refused.returncode == 2 and "stop the app" in refused.stderr


@pytest.fixture
def own_postgres() -> Iterator[str]:
    """A PostgreSQL database of this test's own beside TEST_DATABASE_URL's (skipped without one)."""
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("the PostgreSQL client is not installed")
    create_postgres_database(PG_URL)
    name = f"{make_url(PG_URL).database}_restore"
    with get_engine(PG_URL).connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    get_engine(url).dispose()
    with get_engine(PG_URL).connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_postgresql_restore_steps_of_the_readme_bring_the_data_back(own_postgres, tmp_path):
    upgrade(own_postgres)
    add_user(own_postgres, "before")
    made = run_main("backup", env={"DATABASE_URL": own_postgres, "BACKUP_DIR": str(tmp_path)})
    assert made.returncode == 0, made.stderr
    [dump] = tmp_path.glob("crm-*.pgdump")
    add_user(own_postgres, "after")
    get_engine(own_postgres).dispose()  # the app is stopped
    dsn = make_url(own_postgres).set(drivername="postgresql").render_as_string(hide_password=False)
    step = "pg_restore --clean --if-exists --no-owner --single-transaction --dbname"
    assert step in (Path(__file__).parent.parent / "README.md").read_text().replace("\\\n  ", "")
    restored = subprocess.run([*step.split(), dsn, str(dump)], capture_output=True, text=True, timeout=300)
    assert restored.returncode == 0, restored.stderr
    assert usernames(own_postgres) == {"before"}
    assert run_main("migrate", env={"DATABASE_URL": own_postgres}).returncode == 0

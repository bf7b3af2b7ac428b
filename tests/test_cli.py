"""main.py subcommands: demo (idempotent), createuser, migrate, and refusing an old schema."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from app.auth.models import User
from app.db import session_factory
from app.demo import DEMO_USERS
from app.migrations import pending_revisions, upgrade

ROOT = Path(__file__).resolve().parent.parent


def run_main(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run `python main.py ...` as a user would, with extra environment."""
    full_env = {**os.environ, "SECRET_KEY": "", "APP_ENV": "development", **env}
    return subprocess.run(
        [sys.executable, "main.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_demo_creates_every_demo_user_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    env = {"DATABASE_URL": url, "DEMO_PASSWORD": "another-pass-1"}
    first = run_main("demo", env=env)
    assert first.returncode == 0, first.stderr
    second = run_main("demo", env=env)
    assert second.returncode == 0 and "none (already there)" in second.stdout
    with session_factory(url)() as db:
        names = set(db.scalars(select(User.username)))
        assert names == {u[0] for u in DEMO_USERS}
        assert db.scalar(select(func.count()).select_from(User)) == len(DEMO_USERS)


def test_createuser_validates_and_creates(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    env = {"DATABASE_URL": url}
    bad = run_main("createuser", "x", "--role", "sales", "--password", "short", env=env)
    assert bad.returncode == 2 and "username" in bad.stderr
    ok = run_main("createuser", "owner", "--role", "admin", "--password", "long-enough-1", env=env)
    assert ok.returncode == 0, ok.stderr
    dup = run_main("createuser", "owner", "--role", "admin", "--password", "long-enough-1", env=env)
    assert dup.returncode == 2 and "taken" in dup.stderr


def test_production_without_secret_key_refuses_to_start(tmp_path):
    result = run_main("migrate", env={"APP_ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"})
    assert result.returncode == 2 and "SECRET_KEY" in result.stderr


def test_an_old_schema_is_migrated_or_refused(empty_database):
    env = {"DATABASE_URL": empty_database}
    if empty_database.startswith("postgresql"):
        refused = run_main("--port", "0", env=env)  # serving never migrates PostgreSQL by itself
        assert refused.returncode == 1
        assert "python main.py migrate" in refused.stderr
    migrated = run_main("migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    current, head = pending_revisions(empty_database)
    assert current == head


def test_routes_names_the_feature_file_that_answers_each_dashboard_url(tmp_path):
    listed = run_main("routes", "--role", "sales", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}"})
    assert listed.returncode == 0, listed.stderr
    rows = [line.split() for line in listed.stdout.splitlines()]
    handlers = {(method, path): handler for method, path, handler in rows}
    assert handlers[("GET", "/dashboard/sales/kanban")] == "app/features/kanban/html.py:kanban_page"
    assert handlers[("GET", "/api/sales/kanban")] == "app/features/kanban/api.py:kanban"
    assert all(path.startswith(("/dashboard/sales/", "/api/sales/")) for _, path, _ in rows)
    for handler in set(handlers.values()):
        file, function = handler.split(":")
        assert f"def {function}(" in (ROOT / file).read_text(), handler

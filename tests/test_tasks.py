"""Background jobs: the backup (SQLite online backup, pg_dump, rotation), inline mode, and a
real Celery worker on the local Redis."""

from __future__ import annotations

import os
import sqlite3

import pytest
from celery.contrib.testing.worker import start_worker

from app.db import write_session
from app.migrations import upgrade
from settings import Settings
from tasks import backup as backup_module
from tasks.backup import backup_database, rotate, run_backup
from tasks.celery_app import BEAT_SCHEDULE, celery_app, make_celery
from tests.conftest import make_settings
from tests.factories import make_user
from tests.workers import own_redis_url

REDIS_URL = own_redis_url(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))


@pytest.fixture
def sqlite_with_data(tmp_path):
    """A migrated SQLite file with one user in it."""
    url = f"sqlite:///{tmp_path / 'live.db'}"
    upgrade(url)
    from app.auth.permissions import Role

    with write_session(url) as db:
        make_user(db, Role.SALES, username="backed-up")
    return url


def test_sqlite_backup_is_a_consistent_copy_and_rotates(sqlite_with_data, tmp_path):
    config = make_settings(sqlite_with_data, tmp_path, backup_keep=2)
    paths = [run_backup(config) for _ in range(3)]
    kept = sorted(p.name for p in config.backup_dir.iterdir())
    assert kept == sorted(p.name for p in paths[1:])  # the oldest was rotated away
    with sqlite3.connect(paths[-1]) as copy:
        assert copy.execute("SELECT username FROM users").fetchall() == [("backed-up",)]


def test_rotate_keeps_newest(tmp_path):
    for stamp in ("20260101", "20260103", "20260102"):
        (tmp_path / f"crm-{stamp}.sqlite3").write_text("x")
    deleted = rotate(tmp_path, "crm-*.sqlite3", 1)
    assert sorted(p.name for p in deleted) == ["crm-20260101.sqlite3", "crm-20260102.sqlite3"]
    assert [p.name for p in tmp_path.iterdir()] == ["crm-20260103.sqlite3"]


def test_backup_of_each_backend(tmp_path, database_url):
    path = run_backup(make_settings(database_url, tmp_path))
    if database_url.startswith("postgresql"):
        assert path.suffix == ".pgdump" and path.read_bytes()[:5] == b"PGDMP"  # pg_dump custom format
    else:
        with sqlite3.connect(path) as copy:
            assert copy.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)


def test_backup_runs_inline_without_a_broker(sqlite_with_data, tmp_path, monkeypatch):
    assert celery_app.conf.task_always_eager is True  # the suite runs without BROKER_URL
    monkeypatch.setattr(backup_module.default_settings, "database_url", sqlite_with_data)
    monkeypatch.setattr(backup_module.default_settings, "backup_dir", tmp_path / "inline")
    result = backup_database.apply()
    assert (tmp_path / "inline").exists() and result.get().endswith(".sqlite3")


def test_daily_backup_is_scheduled():
    assert BEAT_SCHEDULE["daily-database-backup"]["task"] == backup_database.name


@pytest.fixture
def redis_celery():
    """A Celery app on the local Redis, current for the test; the inline app afterwards."""
    app = make_celery(Settings(broker_url=REDIS_URL))
    app.loader.import_module("celery.contrib.testing.tasks")
    try:
        yield app
    finally:
        celery_app.set_default()


def test_backup_through_a_real_worker_on_redis(redis_celery, sqlite_with_data, tmp_path, monkeypatch):
    monkeypatch.setattr(backup_module.default_settings, "database_url", sqlite_with_data)
    monkeypatch.setattr(backup_module.default_settings, "backup_dir", tmp_path / "worker")
    assert redis_celery.conf.task_always_eager is False
    with start_worker(redis_celery, pool="solo", perform_ping_check=True, shutdown_timeout=10):
        path = backup_database.delay().get(timeout=30)
    assert path.endswith(".sqlite3") and (tmp_path / "worker").exists()
    with sqlite3.connect(path) as copy:
        assert copy.execute("SELECT count(*) FROM users").fetchone() == (1,)


def test_expiry_job_frees_apartments_of_run_out_bookings(tmp_path, monkeypatch, time_machine):
    from datetime import timedelta

    from sqlalchemy import select

    from app.auth.permissions import Role
    from app.core import clock
    from app.domain.bookings.crud import bookings
    from app.domain.bookings.schemas import BookingCreate
    from app.domain.inventory.models import Apartment, ApartmentStatus
    from tasks.bookings import expire_bookings
    from tests.factories import free_apartment, make_lead

    url = f"sqlite:///{tmp_path / 'expiry.db'}"
    upgrade(url)
    with write_session(url) as db:
        seller = make_user(db, Role.SALES)
        apartment_id = free_apartment(db).id
        bookings.create(
            db, seller, BookingCreate(apartment_id=apartment_id, lead_id=make_lead(db, seller).id, hours=1), 72
        )
    monkeypatch.setattr(backup_module.default_settings, "database_url", url)
    assert expire_bookings.apply().get() == 0  # not yet
    later = clock.now() + timedelta(hours=1, minutes=1)
    time_machine.move_to(later)
    assert expire_bookings.apply().get() == 1
    with write_session(url) as db:
        assert db.scalar(select(Apartment.status).where(Apartment.id == apartment_id)) == ApartmentStatus.FREE
    assert BEAT_SCHEDULE["expire-bookings"]["schedule"] == 60.0

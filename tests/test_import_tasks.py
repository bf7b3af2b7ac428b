"""Import jobs outside a request: the job's own transaction (inline), a redelivered job that
finds its import finished, and a real Celery worker on the local Redis."""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from celery.contrib.testing.worker import start_worker

from app.auth.models import User
from app.db import write_session, write_session_factory
from app.domain.imports.crud import imports
from app.domain.imports.models import ImportJob, ImportKind
from settings import Settings
from tasks import imports as import_tasks
from tasks.celery_app import celery_app, make_celery
from tests.bench.bench_imports import leads_csv
from tests.conftest import BACKENDS
from tests.import_jobs import fresh_url, lead_count, live_database, mark_apply, uploaded
from tests.workers import own_redis_url

REDIS_URL = own_redis_url(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))


@pytest.fixture
def live(tmp_path):
    """A migrated SQLite file with an admin and a complex, and the settings of a worker using it."""
    return live_database(f"sqlite:///{tmp_path / 'live.db'}", tmp_path)


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_deliveries_of_one_apply_at_once_end_done_with_each_lead_once(backend, tmp_path):
    """A job handed out twice (its first worker slow past the visibility timeout): the second waits
    for the first and finds the import done, instead of failing it after its commit."""
    config, admin_id = live_database(fresh_url(backend, tmp_path, "import_twice"), tmp_path / "twice")
    import_id = uploaded(config, admin_id, leads_csv(3000))
    assert import_tasks.run_import_now(import_id, admin_id, config) == "preview"
    mark_apply(config, admin_id, import_id)
    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(lambda _: import_tasks.run_import_now(import_id, admin_id, config), range(2)))
    assert outcomes == ["done", "done"]
    assert lead_count(config) == 3000
    with write_session(config.database_url) as db:
        assert db.get(ImportJob, import_id).status == "done"


def test_the_progress_stays_full_until_the_run_commits(live):
    """Others read "applying" until the job's transaction commits: its bar must not drop back to 0."""
    config, admin_id = live
    import_id = uploaded(config, admin_id)
    assert import_tasks.run_import_now(import_id, admin_id, config) == "preview"
    mark_apply(config, admin_id, import_id)
    progress = config.data_dir / "imports" / f"{import_id}.progress"
    db = write_session_factory(config.database_url)()
    try:
        imports.run(db, db.get(User, admin_id), import_id, config.data_dir)
        assert json.loads(progress.read_text())["done"] == 3  # the run is over, not yet committed
        db.commit()
    finally:
        db.close()
    assert not progress.exists()


def test_the_job_previews_applies_and_a_redelivery_changes_nothing(live):
    config, admin_id = live
    import_id = uploaded(config, admin_id)
    assert import_tasks.run_import_now(import_id, admin_id, config) == "preview"
    assert lead_count(config) == 0
    mark_apply(config, admin_id, import_id)
    assert import_tasks.run_import_now(import_id, admin_id, config) == "done"
    assert import_tasks.run_import_now(import_id, admin_id, config) == "done"  # delivered twice
    assert lead_count(config) == 2
    with write_session(config.database_url) as db:
        assert db.get(ImportJob, import_id).counts == {"create": 2, "update": 0, "unchanged": 0, "reject": 1}


@pytest.fixture
def redis_celery():
    """A Celery app on the local Redis, current for the test; the inline app afterwards."""
    app = make_celery(Settings(broker_url=REDIS_URL))
    app.loader.import_module("celery.contrib.testing.tasks")
    try:
        yield app
    finally:
        celery_app.set_default()


def test_a_real_worker_runs_the_import(redis_celery, live, monkeypatch):
    config, admin_id = live
    monkeypatch.setattr(import_tasks.default_settings, "database_url", config.database_url)
    monkeypatch.setattr(import_tasks.default_settings, "data_dir", config.data_dir)
    import_id = uploaded(config, admin_id)
    with start_worker(redis_celery, pool="solo", perform_ping_check=True, shutdown_timeout=10):
        assert import_tasks.run_import.delay(import_id, admin_id).get(timeout=30) == "preview"
        mark_apply(config, admin_id, import_id)
        assert import_tasks.run_import.delay(import_id, admin_id).get(timeout=30) == "done"
    assert lead_count(config) == 2


def test_a_sheet_import_runs_as_a_job_from_its_snapshot(live, tmp_path):
    from app.domain.imports.sheets import SheetRef, SheetsAccess
    from tests.sheets_stub import service_account_file, start_stub

    config, admin_id = live
    stub, server = start_stub()
    try:
        stub.sheets["1SheetSheetSheetSheetSheet0"] = {"Лиды": [["Телефон", "Имя"], [998901112233, "Азиз"]]}
        access = SheetsAccess(str(service_account_file(tmp_path, f"{stub.url}/token")), stub.url)
        with write_session(config.database_url) as db:
            admin = db.get(User, admin_id)
            ref = SheetRef("1SheetSheetSheetSheetSheet0", "Лиды")
            job = imports.create_from_sheet(db, admin, ImportKind.LEADS, ref, access, config.data_dir, 100)
            imports.begin(db, admin, job.id, apply=False, data_dir=config.data_dir)
            import_id = job.id
        stub.sheets.clear()  # the sheet is gone: the job reads the snapshot taken at creation
        assert import_tasks.run_import_now(import_id, admin_id, config) == "preview"
        mark_apply(config, admin_id, import_id)
        assert import_tasks.run_import_now(import_id, admin_id, config) == "done"
        assert lead_count(config) == 1 and len(stub.calls("values")) == 1
    finally:
        server.shutdown()

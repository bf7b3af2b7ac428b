"""Imports on real Celery worker processes (`celery worker` run as a subprocess on the local Redis,
in a process group of its own): a cancel stops a running apply and keeps nothing, and an apply
whose pool process, then whole worker, is killed mid-apply (kill -9) is left to the job handed out
again, which completes it to the same result as an uninterrupted run of the same file."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import Text, cast, func, select, text

from app.auth.models import User
from app.db import session_factory, transaction
from app.domain.audit.models import AuditEntry
from app.domain.imports.crud import imports
from app.domain.imports.models import ImportJob, ImportRow, ImportStatus
from app.domain.imports.readers import imports_dir
from app.domain.inventory.models import Complex
from app.domain.leads.crud import leads
from app.domain.leads.models import Lead, LeadStatusChange
from app.domain.leads.schemas import LeadFilter
from app.domain.leads.search import FTS_INSERT_TRIGGER, FTS_TABLE
from app.models import Base  # every model, so Base.metadata holds every table
from settings import Settings
from tasks import imports as import_tasks
from tasks.celery_app import celery_app, make_celery
from tests.bench.bench_imports import leads_csv
from tests.conftest import BACKENDS
from tests.import_jobs import COMPLEX, fresh_url, live_database, mark_apply, uploaded
from tests.workers import own_redis_url

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = own_redis_url(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
VISIBILITY_TIMEOUT = 3  # seconds: the workers' BROKER_VISIBILITY_TIMEOUT
# Enough rows for the apply to run for seconds after its first chunk of 2,000 (SQLite applies about
# 8,000 rows a second here, PostgreSQL 3,000), so the cancel and the kill land in the middle of it.
ROWS = {"sqlite": 60_000, "postgresql": 20_000}
WAIT = 150  # seconds: the bound of every wait (no timing is asserted); above Kombu's periodic sweep of
# unacked jobs (about 100 s), should a worker starting up miss a job left by the killed one
SEARCHES = ("Клиент 12345", "90 001-23-45")  # a name and a phone of the file (row 12345)


@cache
def leads_file(rows: int) -> bytes:
    """The big leads file (distinct +998 90 phones, every third lead asking for the live complex)."""
    return leads_csv(rows, COMPLEX)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """SQLite, and PostgreSQL when TEST_DATABASE_URL is set."""
    return request.param


@pytest.fixture
def live(backend, tmp_path) -> tuple[Settings, int]:
    """A migrated database with an admin and one complex, the settings of the workers using it
    (DATA_DIR in tmp_path), and the admin's id."""
    return live_database(fresh_url(backend, tmp_path, "import_worker"), tmp_path / "live")


@pytest.fixture
def broker() -> Iterator[redis.Redis]:
    """The test's own Redis database, flushed before and after, and a Celery app on it current in the
    test process (jobs are sent to it; none runs here); the inline app afterwards."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.flushdb()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is needed at {REDIS_URL} (TEST_REDIS_URL): {exc}")
    app = make_celery(Settings(broker_url=REDIS_URL))
    try:
        yield client
    finally:
        celery_app.set_default()
        try:
            app.close()
        finally:
            client.flushdb()
            client.close()


class WorkerProcess:
    """`celery worker` (solo pool, or prefork with one pool process) in a process group of its own,
    pointed at the test's database, data folder and Redis; its output goes to a log file."""

    def __init__(self, config: Settings, log: Path, pool: str = "solo") -> None:
        self.log = log
        env = {
            **os.environ,
            "APP_ENV": "development",
            "DATABASE_URL": config.database_url,
            "DATA_DIR": str(config.data_dir),
            "BROKER_URL": REDIS_URL,
            "REDIS_URL": REDIS_URL,
            "BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        }
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tasks.celery_app",
            "worker",
            f"--pool={pool}",
            "--concurrency=1",
            "-Q",
            celery_app.conf.task_default_queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
            f"--hostname={log.stem}@%h",
        ]
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def output(self) -> str:
        """What the worker logged so far."""
        return self.log.read_text(errors="replace")

    def wait_ready(self) -> None:
        """Wait until the worker consumes its queue; fail with its output if it does not."""
        wait_for(lambda: " ready." in self.output(), "the worker to be ready", self)

    def pool_processes(self) -> list[int]:
        """The pids of the worker's pool processes (its children: prefork)."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    pids.append(int(stat.parent.name))
        return pids

    def kill(self) -> None:
        """SIGKILL the worker's process group: a worker that vanished, nothing of its shutdown runs."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


@pytest.fixture
def start_worker_process(tmp_path, broker) -> Iterator[Callable[..., WorkerProcess]]:
    """Start a worker process for the settings' database (it gets ready in the background; see
    `wait_ready`); every one started is killed at the end of the test."""
    started: list[WorkerProcess] = []

    def start(config: Settings, pool: str = "solo") -> WorkerProcess:
        started.append(WorkerProcess(config, tmp_path / f"worker-{len(started) + 1}.log", pool))
        return started[-1]

    try:
        yield start
    finally:
        for worker in started:
            worker.kill()


def wait_for(condition: Callable[[], Any], what: str, worker: WorkerProcess) -> Any:
    """Poll `condition` until it is true (its value is returned) for at most WAIT seconds; fail with
    the worker's output and the broker's state when it is not, or when the worker exits meanwhile."""
    deadline = time.monotonic() + WAIT
    while not (value := condition()):
        if worker.process.poll() is not None or time.monotonic() > deadline:
            with redis.Redis.from_url(REDIS_URL) as client:  # the jobs as Kombu keeps them
                jobs = {
                    "now": time.time(),
                    "queued": client.llen(celery_app.conf.task_default_queue),
                    "unacked since": client.zrange("unacked_index", 0, -1, withscores=True),
                }
            ended = "" if worker.process.poll() is None else f"; the worker exited ({worker.process.returncode})"
            pytest.fail(f"no {what} within {WAIT} s{ended}; jobs {jobs}; the worker's output:\n{worker.output()}")
        time.sleep(0.05)
    return value


def previewed(config: Settings, admin_id: int, backend: str) -> int:
    """The big leads file uploaded and previewed inline (no broker here), then marked for applying."""
    import_id = uploaded(config, admin_id, leads_file(ROWS[backend]))
    assert import_tasks.run_import_now(import_id, admin_id, config) == "preview"
    mark_apply(config, admin_id, import_id)
    return import_id


def job_of(config: Settings, import_id: int) -> ImportJob:
    """The import as committed now (a read transaction: it never waits for a writer)."""
    with transaction(session_factory(config.database_url)) as db:
        return db.get(ImportJob, import_id)


def progress_file(config: Settings, import_id: int) -> Path:
    return imports_dir(config.data_dir) / f"{import_id}.progress"


def stop_file(config: Settings, import_id: int) -> Path:
    return imports_dir(config.data_dir) / f"{import_id}.stop"


def progress(config: Settings, import_id: int) -> dict[str, Any]:
    """The running apply's progress file: rows done, total, when it started ({} before it writes one)."""
    try:
        return json.loads(progress_file(config, import_id).read_text())
    except (OSError, ValueError):
        return {}


def rows_done(config: Settings, import_id: int) -> int:
    """Rows the running apply has gone through (0 before it writes its progress)."""
    return progress(config, import_id).get("done", 0)


def wait_for_status(config: Settings, import_id: int, status: ImportStatus, worker: WorkerProcess) -> ImportJob:
    """Wait until the import reaches `status`; fail at once when it ends in another."""

    def reached() -> ImportJob | None:
        job = job_of(config, import_id)
        if job.status not in (status, ImportStatus.APPLYING):
            pytest.fail(f"the import ended {job.status.value} ({job.error}), not {status.value}:\n{worker.output()}")
        return job if job.status == status else None

    return wait_for(reached, f"import {status.value}", worker)


def send_apply(import_id: int, admin_id: int, worker: WorkerProcess, config: Settings) -> int:
    """Send the apply job once the worker is ready; the rows done when its first chunks are through."""
    worker.wait_ready()
    import_tasks.run_import.delay(import_id, admin_id)
    return wait_for(lambda: rows_done(config, import_id), "progress of the apply", worker)


def sqlite_index(db: Any) -> tuple[int, bool] | None:
    """On SQLite: the rows of the search index (FTS5) and whether its insert trigger is in place."""
    if db.get_bind().dialect.name != "sqlite":
        return None
    rows = db.scalar(text(f"SELECT count(*) FROM {FTS_TABLE}"))  # noqa: S608 - a constant
    found = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = :name"
    return rows, bool(db.scalar(text(found), {"name": FTS_INSERT_TRIGGER}))


def rows_per_table(db: Any) -> dict[str, int]:
    """How many rows each table of the schema holds."""
    return {t.name: db.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def traces(config: Settings) -> dict[str, Any]:
    """What an import of leads leaves in the database: leads, their status history, import audit
    entries, the search index."""
    with transaction(session_factory(config.database_url)) as db:
        return {
            "leads": db.scalar(select(func.count()).select_from(Lead)),
            "lead_status_changes": db.scalar(select(func.count()).select_from(LeadStatusChange)),
            "import audit entries": db.scalar(select(func.count()).where(AuditEntry.action == "import")),
            "search index (rows, trigger)": sqlite_index(db),
            "rows per table": rows_per_table(db),
        }


def nothing(config: Settings, before: dict[str, Any]) -> dict[str, Any]:
    """The traces of no import at all: no lead, history, audit entry or search entry, and every table
    as it was `before` (traces taken once the file was previewed)."""
    sqlite = config.database_url.startswith("sqlite")
    return {
        "leads": 0,
        "lead_status_changes": 0,
        "import audit entries": 0,
        "search index (rows, trigger)": (0, True) if sqlite else None,
        "rows per table": before["rows per table"],
    }


def outcome(config: Settings, admin_id: int, import_id: int) -> dict[str, Any]:
    """Everything an apply decided and wrote, without ids, times or anything else two runs of the
    same file on two databases may differ in."""
    with transaction(session_factory(config.database_url)) as db:
        job = db.get(ImportJob, import_id)
        admin = db.get(User, admin_id)
        lead_rows = db.execute(
            select(Lead.phone, Lead.name, Lead.status, Lead.source, Lead.temperature, Complex.slug, Lead.assigned_id)
            .outerjoin(Complex, Lead.complex_id == Complex.id)
            .order_by(Lead.phone)
        )
        changes = db.execute(
            select(Lead.phone, LeadStatusChange.from_status, LeadStatusChange.to_status, LeadStatusChange.by_id)
            .join(Lead, LeadStatusChange.lead_id == Lead.id)
            .order_by(Lead.phone, LeadStatusChange.id)
        )
        entries = db.execute(  # the snapshots as stored (text): the same JSON from the same file
            select(AuditEntry.entity, AuditEntry.action, cast(AuditEntry.before, Text), cast(AuditEntry.after, Text))
        )
        found = {}
        for q in SEARCHES:
            page = leads.page(db, admin, LeadFilter(q=q))
            found[q] = (page.total, sorted(lead.phone for lead in page.items))
        return {
            "job": (job.status, job.counts, job.total_rows),
            "rows": db.execute(
                select(ImportRow.line, ImportRow.outcome, ImportRow.key, ImportRow.field, ImportRow.reason).order_by(
                    ImportRow.line
                )
            ).all(),
            "leads": lead_rows.all(),
            "lead_status_changes": changes.all(),
            "audit": sorted(entries.all(), key=lambda entry: tuple(str(v) for v in entry)),
            "search": found,
            "search index (rows, trigger)": sqlite_index(db),
            "rows per table": rows_per_table(db),
        }


def test_a_cancel_stops_a_running_apply_on_a_worker_and_keeps_nothing(live, backend, start_worker_process):
    config, admin_id = live
    worker = start_worker_process(config)  # it starts while the file is previewed
    import_id = previewed(config, admin_id, backend)
    before = traces(config)
    done = send_apply(import_id, admin_id, worker, config)

    # The cancel takes no write lock (the apply holds SQLite's for its whole transaction): a read
    # transaction that leaves the flag file for the run.
    with transaction(session_factory(config.database_url)) as db:
        job = imports.cancel(db, db.get(User, admin_id), import_id, config.data_dir)
        assert job.status == ImportStatus.APPLYING and imports.stopping(job, config.data_dir)

    job = wait_for_status(config, import_id, ImportStatus.CANCELLED, worker)
    assert 0 < done < job.total_rows == ROWS[backend]  # it was stopped in the middle
    assert job.finished_at is not None and job.progress == 0.0
    assert traces(config) == nothing(config, before)
    assert not progress_file(config, import_id).exists() and not stop_file(config, import_id).exists()
    assert worker.process.poll() is None  # the worker lives on for the next job


def test_a_worker_killed_mid_apply_leaves_it_to_the_redelivered_job(
    live, backend, tmp_path, broker, start_worker_process
):
    config, admin_id = live
    # A prefork worker, as deployed: its parent process acknowledges, so with the solo pool (where an
    # early acknowledgement waits for the job to end) losing acks_late would go unnoticed.
    first = start_worker_process(config, pool="prefork")  # it starts while the files are previewed
    import_id = previewed(config, admin_id, backend)
    # The uninterrupted run of the same file, on a second fresh database, to compare with.
    reference, reference_admin = live_database(fresh_url(backend, tmp_path, "import_reference"), tmp_path / "ref")
    reference_id = previewed(reference, reference_admin, backend)
    before = traces(config)
    assert 0 < send_apply(import_id, admin_id, first, config) < ROWS[backend]

    # The OOM killer takes the pool process mid-apply: its parent hands the job back to the queue
    # (task_reject_on_worker_lost) and a new pool process runs it again from the start.
    started = progress(config, import_id)["started"]
    (pool_process,) = first.pool_processes()
    os.kill(pool_process, signal.SIGKILL)
    again = wait_for(
        lambda: (state := progress(config, import_id)).get("started") != started and state.get("done"),
        "second run of the job after its pool process was killed",
        first,
    )
    assert again < ROWS[backend]

    first.kill()  # kill -9 of the whole worker, mid-apply
    killed_at = time.monotonic()
    assert job_of(config, import_id).status == ImportStatus.APPLYING
    assert traces(config) == nothing(config, before)  # its transaction died with it
    # Kombu's Redis transport keeps a delivered job in "unacked" until the worker acknowledges it,
    # which it does only once the job ends (acks_late): the job is not lost with the worker.
    assert broker.hlen("unacked") == 1, "the job was acknowledged before it ran: a lost worker loses it"

    # A starting worker hands out the jobs of vanished workers older than the visibility timeout.
    time.sleep(max(0.0, killed_at + VISIBILITY_TIMEOUT + 1 - time.monotonic()))
    second = start_worker_process(config)
    assert import_tasks.run_import_now(reference_id, reference_admin, reference) == "done"  # meanwhile

    wait_for_status(config, import_id, ImportStatus.DONE, second)
    redelivered, uninterrupted = outcome(config, admin_id, import_id), outcome(reference, reference_admin, reference_id)
    assert redelivered["job"][1] == {"create": ROWS[backend], "update": 0, "unchanged": 0, "reject": 0}
    assert all(total and phones for total, phones in redelivered["search"].values())
    assert redelivered == uninterrupted
    assert not progress_file(config, import_id).exists() and not stop_file(config, import_id).exists()
    wait_for(lambda: broker.hlen("unacked") == 0, "the job's acknowledgement", second)

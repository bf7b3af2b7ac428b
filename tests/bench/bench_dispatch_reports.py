"""Benchmark of the dispatch reports: 30 technicians and 20,000 work orders, half the slotted ones done.

Run from the repository root (about a minute on two cores):

    python -m tests.bench.bench_dispatch_reports
    python -m tests.bench.bench_dispatch_reports --db postgresql --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test_perf

It builds the schedule board's benchmark data (tests/bench/bench_board.py) with 20,000 orders, marks
every other slotted order done at its slot's end and reopens a tenth of those (through the audit log's
shape), then times the domain calls the page and the JSON twins make: the technicians report for this
month and for a year, and the open defects. Prints p50/p95 and the SQL statements per call. Not a test.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event, select, update

from app.auth.models import User
from app.core import clock
from app.db import get_engine, write_session
from app.domain.audit.models import AuditEntry
from app.domain.dispatch.models import OrderStatus, WorkOrder
from app.domain.dispatch.report_schemas import ReportPeriod
from app.domain.dispatch.reports import default_period, dispatch_reports
from tests.bench import bench_board
from tests.bench.bench_leads import reset_postgres

ORDERS = 20_000
ROUNDS = 20


def build(url: str) -> None:
    """The board's data with ORDERS orders, half the slotted ones done, a tenth of those reopened once."""
    bench_board.ORDERS = ORDERS
    print(bench_board.build(url))
    with write_session(url) as db:
        slotted = WorkOrder.technician_id.is_not(None) & (WorkOrder.id % 2 == 0)
        db.execute(
            update(WorkOrder).where(slotted).values(status=OrderStatus.DONE, completed_at=WorkOrder.scheduled_end)
        )
        done = db.execute(select(WorkOrder.id, WorkOrder.technician_id).where(slotted, WorkOrder.id % 20 == 0)).all()
        db.add_all(
            AuditEntry(entity="work_order", entity_id=str(order_id), action="update",
                       before={"status": "done", "technician_id": tech}, after={"status": "in_progress"})
            for order_id, tech in done
        )  # fmt: skip


def measure(url: str, name: str, call: Callable[[], object]) -> None:
    """Time ROUNDS calls after two warm-ups; print p50, p95 and statements per call."""
    statements: list[str] = []
    engine = get_engine(url)

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    times = []
    for n in range(ROUNDS + 2):
        statements.clear()
        started = time.perf_counter()
        call()
        if n >= 2:
            times.append(time.perf_counter() - started)
    event.remove(engine, "before_cursor_execute", record)
    p95 = statistics.quantiles(times, n=20)[-1]
    print(f"{name:<28} p50 {statistics.median(times) * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms  sql {len(statements)}")


def run(url: str) -> None:
    """Build, then time each report."""
    build(url)
    first, last = default_period(clock.today())
    with write_session(url) as db:
        user = db.scalar(select(User).where(User.username == "dispatcher"))
        month = ReportPeriod(date_from=first, date_to=last)
        year = ReportPeriod(date_from=last - timedelta(days=365), date_to=last)
        measure(url, "technicians, this month", lambda: dispatch_reports.technicians(db, user, month))
        measure(url, "technicians, a year", lambda: dispatch_reports.technicians(db, user, year))
        measure(url, "open defects", lambda: dispatch_reports.defects(db, user))
    get_engine(url).dispose()


def main() -> None:
    """Parse the options, then run on SQLite or the given PostgreSQL database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", default=bench_board.DEFAULT_PG_URL, help="your own PostgreSQL database (emptied)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crm-bench-reports-") as tmp:
        if args.db == "postgresql":
            reset_postgres(args.pg_url)
            run(args.pg_url)
        else:
            run(f"sqlite:///{Path(tmp) / 'bench.db'}")


if __name__ == "__main__":
    main()

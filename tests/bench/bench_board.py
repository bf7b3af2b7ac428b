"""Benchmark of the dispatcher's schedule board: 30 technicians x 7 days, 2,000 orders in the database.

Run from the repository root (under a minute on two cores):

    python -m tests.bench.bench_board
    python -m tests.bench.bench_board --db postgresql --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test_perf

It builds a throw-away database (the demo, then technicians up to 30 and orders up to 2,000: this
week's slots filled four a day per technician, the rest over the weeks around it, some unassigned),
serves the real app and a bare Starlette app in background threads, and times sequential keep-alive
requests of the week board (HTML, warm), the day board, the schedule JSON and the queue; then drop
round-trips: one order moved back and forth between two slots through POST .../schedule/drop
(validate + save + the board fragment the page swaps in). It prints p50/p95 and the ratio of each
one's req/s to the bare endpoint's. Not a test: it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.routing import Route

from app.auth.deps import SESSION_COOKIE
from app.auth.models import User
from app.auth.service import session_token
from app.core import clock
from app.db import get_engine, write_session
from app.demo import load_demo
from app.domain.dispatch.models import OrderKind, OrderStatus, Technician, WorkOrder
from app.domain.inventory.models import Apartment
from app.migrations import upgrade
from main import server_socket
from tests.bench.bench_leads import DEFAULT_PG_URL, reset_postgres
from tests.bench.bench_pages import HOST, SqlCounter, bare_endpoint, make_settings, measure_pages, print_rows, serve

TECHNICIANS = 30
ORDERS = 2_000
DROPS = 60
ALL_WEEK = {str(day): ["08:00", "20:00"] for day in range(7)}


def at(day, hour: int) -> datetime:
    """The UTC moment of `hour`:00 on the company's wall clock that day."""
    return clock.from_local(datetime.combine(day, clock_time(hour)))


def build(url: str) -> dict[str, int]:
    """The demo, then technicians and orders up to the benchmark's sizes; returns the counts."""
    upgrade(url)
    rng = random.Random(11)
    monday = clock.today() - timedelta(days=clock.today().weekday())
    with write_session(url) as db:
        load_demo(db, "demo12345")
        have = db.scalar(select(func.count()).select_from(Technician))
        db.add_all(
            Technician(name=f"Мастер {n}", phone="+998901112233", skills=["general", "plumber"], hours=ALL_WEEK)
            for n in range(have, TECHNICIANS)
        )
        db.flush()
        technicians = list(db.scalars(select(Technician.id).order_by(Technician.id)))[:TECHNICIANS]
        apartments = list(db.scalars(select(Apartment.id).limit(500)))
        orders = db.scalar(select(func.count()).select_from(WorkOrder))
        rows = []
        for technician in technicians:  # this week: four two-hour slots a day, none overlapping
            for day in range(7):
                for hour in (8, 10, 12, 14):
                    rows.append((technician, monday + timedelta(days=day), hour))
        rng.shuffle(rows)
        for n in range(ORDERS - orders):
            technician, day, hour = (
                rows[n] if n < len(rows) else (None, monday + timedelta(days=rng.randint(-21, 21)), 0)
            )
            db.add(
                WorkOrder(
                    apartment_id=rng.choice(apartments),
                    kind=rng.choice(list(OrderKind)),
                    priority=rng.randint(1, 5),
                    title=f"Заявка {n}",
                    status=OrderStatus.SCHEDULED if technician else OrderStatus.NEW,
                    due_date=day + timedelta(days=3),
                    scheduled_start=at(day, hour) if technician else None,
                    scheduled_end=at(day, hour) + timedelta(hours=2) if technician else None,
                    duration_minutes=120,
                    technician_id=technician,
                )
            )
        db.flush()
    with write_session(url) as db:
        return {
            "technicians": db.scalar(select(func.count()).select_from(Technician)),
            "orders": db.scalar(select(func.count()).select_from(WorkOrder)),
            "this week": db.scalar(
                select(func.count()).where(
                    WorkOrder.scheduled_start >= at(monday, 0),
                    WorkOrder.scheduled_start < at(monday + timedelta(days=7), 0),
                )
            ),
        }


def drop_round_trips(client: httpx.Client, url: str) -> tuple[list[float], int]:
    """Move one order of the first technician between 16:00 and 18:00 today, DROPS times."""
    with write_session(url) as db:
        technician = db.scalar(select(Technician.id).order_by(Technician.id))
        order = db.scalar(select(WorkOrder.id).where(WorkOrder.technician_id.is_(None)).order_by(WorkOrder.id))
    board = client.get("/dashboard/dispatcher/schedule")
    token = re.search(r'name="csrf-token" content="([^"]+)"', board.text).group(1)
    headers = {"X-CSRF-Token": token, "HX-Request": "true"}
    times, size = [], 0
    for n in range(DROPS + 5):
        form = {
            "view": "week",
            "order_id": str(order),
            "technician_id": str(technician),
            "day": clock.today().isoformat(),
            "time": "16:00" if n % 2 else "18:00",
            "duration_minutes": "60",
            "force": "1",
        }
        started = time.perf_counter()
        answer = client.post("/dashboard/dispatcher/schedule/drop", data=form, headers=headers)
        took = time.perf_counter() - started
        if answer.status_code != 200:
            raise SystemExit(f"drop answered {answer.status_code}: {answer.text[:200]}")
        if n >= 5:  # the first few warm up
            times.append(took)
            size = len(answer.content)
    return times, size


def run(url: str, tmp: Path) -> None:
    """Build, serve, measure, print."""
    started = time.perf_counter()
    sizes = build(url)
    print(f"data: {sizes} on {url.split(':')[0]}; built in {time.perf_counter() - started:.1f} s")
    settings = make_settings(url, tmp)
    with write_session(url) as db:
        token = session_token(settings, db.scalar(select(User).where(User.username == "dispatcher")))
    counter = SqlCounter(get_engine(url))
    from app.main import create_app

    bare_sock, app_sock = server_socket(HOST, 0), server_socket(HOST, 0)
    servers = [
        serve(Starlette(routes=[Route("/", bare_endpoint)]), bare_sock),
        serve(create_app(settings, check_schema=False), app_sock),
    ]
    monday = clock.today() - timedelta(days=clock.today().weekday())
    clients = {
        "bare": httpx.Client(base_url=f"http://{HOST}:{bare_sock.getsockname()[1]}", timeout=60),
        "app": httpx.Client(
            base_url=f"http://{HOST}:{app_sock.getsockname()[1]}", timeout=60, cookies={SESSION_COOKIE: token}
        ),
    }
    week = f"from={monday.isoformat()}&to={(monday + timedelta(days=6)).isoformat()}"
    pages = [
        ("bare starlette /", "bare", "/", 1000),
        ("board week html", "app", "/dashboard/dispatcher/schedule", 60),
        ("board day html", "app", f"/dashboard/dispatcher/schedule?view=day&date={clock.today()}", 60),
        ("schedule json week", "app", f"/api/dispatcher/schedule?{week}", 60),
        ("queue json", "app", "/api/dispatcher/work-orders/unassigned", 60),
    ]
    try:
        results = measure_pages(clients, pages, counter)
        cpu = time.process_time()
        drops, size = drop_round_trips(clients["app"], url)
        results.append(("drop round-trip", drops, size, (0, 0.0, []), (time.process_time() - cpu) / (DROPS + 5)))
    finally:
        for client in clients.values():
            client.close()
        for server, thread in servers:
            server.should_exit = True
            thread.join(timeout=15)
        get_engine(url).dispose()
    print_rows(results)
    print(f"drop round-trip p50 {statistics.median(drops) * 1000:.1f} ms over {len(drops)} drops (sql not counted)")


def main() -> None:
    """Parse the options, then run on SQLite or the given PostgreSQL database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="your own PostgreSQL database (it is emptied)")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, uvicorn {uvicorn.__version__}")
    with tempfile.TemporaryDirectory(prefix="crm-bench-board-") as tmp:
        if args.db == "postgresql":
            reset_postgres(args.pg_url)
            run(args.pg_url, Path(tmp))
        else:
            run(f"sqlite:///{Path(tmp) / 'bench.db'}", Path(tmp))


if __name__ == "__main__":
    main()

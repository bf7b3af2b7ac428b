"""Benchmark of the lead list under growth (100,000 leads, or 1,000,000 with --leads), against a
bare Starlette endpoint measured in the same run, on SQLite and optionally PostgreSQL.

Run from the repository root:

    python -m tests.bench.bench_leads                       # SQLite, 100,000 leads (about two minutes)
    python -m tests.bench.bench_leads --leads 1000000       # SQLite, a million leads (build ~3 min)
    python -m tests.bench.bench_leads --db postgresql --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test_perf

It builds a throw-away database (demo data plus the leads, spread over statuses, sources,
complexes and salespeople, created over two years; a PostgreSQL database given is emptied
first, so give it one of your own), serves the real app and a one-route Starlette app in
background threads, and times sequential keep-alive requests of the MOP's lead list (HTML and
its JSON twin, 100 rows a page): the first page, page 500, the last page, a search by a name
fragment and by a phone fragment, a filtered first page; then a salesperson's own list and the
kanban board. It prints p50 and p95 latency, req/s, the ratio of each row's req/s to the bare
endpoint's, the size and the statements one request runs, and the HTML/JSON cost ratio of the
first page. This is not a test: nothing is asserted, and pytest does not collect it.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import func, insert, select, text
from starlette.applications import Starlette
from starlette.routing import Route

from app.auth.deps import SESSION_COOKIE
from app.auth.models import User
from app.auth.service import session_token
from app.core import clock
from app.db import get_engine, write_session
from app.demo import load_demo
from app.domain.inventory.models import Complex
from app.domain.leads.models import Lead, LeadSource, LeadStatus, Temperature, lead_search_key
from app.migrations import upgrade
from main import server_socket
from tests.bench.bench_pages import (
    HOST,
    SqlCounter,
    bare_endpoint,
    make_settings,
    measure_pages,
    print_rows,
    serve,
)

LEADS = 100_000
BATCH = 10_000
PAGE_SIZE = 100
SEED = 4
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test_perf"
STATUS_WEIGHTS = {
    LeadStatus.NEW: 25,
    LeadStatus.IN_WORK: 35,
    LeadStatus.BOOKED: 5,
    LeadStatus.SOLD: 10,
    LeadStatus.LOST: 25,
}
NAMES = ["Азиз", "Дилноза", "Шахзод", "Нодира", "Бахтиёр", "Малика", "Сардор", "Гулноза", "Jasur", "Madina"]


def lead_rows(rng: random.Random, first: int, count: int, sellers: list[int], complexes: list[int]) -> list[dict]:
    """Leads number `first` .. `first + count - 1` as insert parameters."""
    now = clock.now()
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    sources, temperatures = list(LeadSource), list(Temperature)
    rows = []
    for n in range(first, first + count):
        created = now - timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
        name, phone = f"{NAMES[n % len(NAMES)]} {n}", f"+9989{n:08d}"
        rows.append(
            {
                "name": name,
                "phone": phone,
                "source": rng.choice(sources),
                "status": rng.choices(statuses, weights)[0],
                "temperature": rng.choice(temperatures),
                "lost_reason": "",
                "complex_id": rng.choice(complexes),
                "assigned_id": rng.choice(sellers),
                "utm_source": rng.choice(["", "instagram", "google", "telegram"]),
                "utm_medium": "",
                "utm_campaign": "",
                "utm_content": "",
                "utm_term": "",
                "touches_count": 1,
                "last_touch_at": created,
                "created_at": created,
                "search_key": lead_search_key(name, phone),
                "updated_at": created,
            }
        )
    return rows


def reset_postgres(url: str) -> None:
    """Empty the public schema of the benchmark's own PostgreSQL database."""
    engine = get_engine(url)
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
        conn.commit()
    engine.dispose()


def build(url: str, leads: int) -> int:
    """Migrate, load the demo data, bulk-insert the leads; returns how many leads there are."""
    upgrade(url)
    with write_session(url) as db:
        load_demo(db, "demo12345")
        sellers = list(db.scalars(select(User.id).where(User.username.in_(["sales", "sales2"]))))
        complexes = list(db.scalars(select(Complex.id)))
    rng = random.Random(SEED)
    for start in range(0, leads, BATCH):
        with write_session(url) as db:
            db.execute(insert(Lead), lead_rows(rng, start, min(BATCH, leads - start), sellers, complexes))
    if url.startswith("postgresql"):  # what autovacuum does soon after a bulk load
        with get_engine(url).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE leads"))
    with write_session(url) as db:
        return db.scalar(select(func.count()).select_from(Lead))


def pages_for(total: int) -> list[tuple[str, str, str, int]]:
    """(name, client, path, requests) of every row measured."""
    last = max(1, math.ceil(total / PAGE_SIZE))
    size = f"page_size={PAGE_SIZE}"
    rows = [("bare starlette /", "bare", "/", 1000)]
    for label, query in (
        ("p1", ""),
        ("p500", "&page=500"),
        (f"last p{last}", f"&page={last}"),
        ("search name", "&q=%D0%B0%D0%B7%D0%B8%D0%B7%2012"),  # "азиз 12"
        ("search phone", "&q=0012345"),
        ("filtered p1", "&status=in_work&source=instagram"),
    ):
        rows.append((f"mop html {label}", "mop", f"/dashboard/mop/leads?{size}{query}", 100))
        rows.append((f"mop json {label}", "mop", f"/api/mop/leads?{size}{query}", 100))
    rows += [
        ("mop html 25 rows p1", "mop", "/dashboard/mop/leads", 100),
        ("sales own list p1", "sales", "/dashboard/sales/leads?status=in_work", 100),
        ("sales kanban", "sales", "/dashboard/sales/kanban", 40),
        ("sales kanban json", "sales", "/api/sales/kanban", 40),
    ]
    return rows


def run(url: str, tmp: Path, leads: int) -> None:
    """Build, serve, measure and print one database's table."""
    started = time.perf_counter()
    total = build(url, leads)
    print(f"data: {total} leads on {url.split(':', 1)[0]}; built in {time.perf_counter() - started:.1f} s")
    settings = make_settings(url, tmp)
    with write_session(url) as db:
        tokens = {
            name: session_token(settings, db.scalar(select(User).where(User.username == name)))
            for name in ("mop", "sales")
        }
    counter = SqlCounter(get_engine(url))
    from app.main import create_app

    bare_sock, app_sock = server_socket(HOST, 0), server_socket(HOST, 0)
    servers = [
        serve(Starlette(routes=[Route("/", bare_endpoint)]), bare_sock),
        serve(create_app(settings, check_schema=False), app_sock),
    ]
    base = f"http://{HOST}:{app_sock.getsockname()[1]}"
    clients = {
        "bare": httpx.Client(base_url=f"http://{HOST}:{bare_sock.getsockname()[1]}", timeout=60),
        "mop": httpx.Client(base_url=base, timeout=60, cookies={SESSION_COOKIE: tokens["mop"]}),
        "sales": httpx.Client(base_url=base, timeout=60, cookies={SESSION_COOKIE: tokens["sales"]}),
    }
    try:
        results = measure_pages(clients, pages_for(total), counter)
    finally:
        for client in clients.values():
            client.close()
        for server, thread in servers:
            server.should_exit = True
            thread.join(timeout=15)
        get_engine(url).dispose()
    print_rows(results)
    rps = {name: len(times) / sum(times) for name, times, _size, _sql, _cpu in results}
    cpu = {name: used for name, _times, _size, _sql, used in results}
    if "mop html p1" in rps and "mop json p1" in rps:
        print(
            f"HTML p1 costs {rps['mop json p1'] / rps['mop html p1']:.2f}x its JSON twin by req/s, "
            f"{cpu['mop html p1'] / cpu['mop json p1']:.2f}x by CPU ({PAGE_SIZE} rows)"
        )


def main() -> None:
    """Parse the options, then build, serve, measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=LEADS, help="how many leads to add (e.g. 1000000)")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="your own PostgreSQL database (it is emptied)")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, uvicorn {uvicorn.__version__}")
    with tempfile.TemporaryDirectory(prefix="crm-bench-leads-") as tmp:
        if args.db == "postgresql":
            reset_postgres(args.pg_url)
            run(args.pg_url, Path(tmp), args.leads)
        else:
            run(f"sqlite:///{Path(tmp) / 'bench.db'}", Path(tmp), args.leads)


if __name__ == "__main__":
    main()

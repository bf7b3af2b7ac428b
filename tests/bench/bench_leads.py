"""Benchmark of the lead list and kanban over 100,000 leads, against a bare Starlette endpoint.

Run from the repository root:  python -m tests.bench.bench_leads   (about a minute on two cores)

It builds a throw-away SQLite database (demo data plus 100,000 leads spread over statuses,
sources, complexes and salespeople, created over two years), serves the real app and a
one-route Starlette app in background threads, and times sequential keep-alive requests:
the filtered first page and a deep page of the MOP's lead list, the JSON twin, a
salesperson's own list (row scope), a search by phone fragment and the kanban board. It
prints p50 and p95 latency and the ratio of each page's req/s to the bare endpoint's.
This is not a test: nothing is asserted, and pytest does not collect it.
"""

from __future__ import annotations

import os
import platform
import random
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import func, insert, select
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
SEED = 4
STATUS_WEIGHTS = {
    LeadStatus.NEW: 25,
    LeadStatus.IN_WORK: 35,
    LeadStatus.BOOKED: 5,
    LeadStatus.SOLD: 10,
    LeadStatus.LOST: 25,
}
NAMES = ["Азиз", "Дилноза", "Шахзод", "Нодира", "Бахтиёр", "Малика", "Сардор", "Гулноза", "Jasur", "Madina"]


def lead_rows(rng: random.Random, count: int, sellers: list[int], complexes: list[int]) -> list[dict]:
    """`count` plausible leads as insert parameters."""
    now = clock.now()
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    rows = []
    for n in range(count):
        created = now - timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
        rows.append(
            {
                "name": f"{NAMES[n % len(NAMES)]} {n}",
                "phone": f"+99890{n:07d}",
                "source": rng.choice(list(LeadSource)),
                "status": rng.choices(statuses, weights)[0],
                "temperature": rng.choice(list(Temperature)),
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
                "search_key": lead_search_key(f"{NAMES[n % len(NAMES)]} {n}", f"+99890{n:07d}"),
                "updated_at": created,
            }
        )
    return rows


def build(url: str) -> int:
    """Migrate, load the demo data, bulk-insert the leads; returns how many leads there are."""
    upgrade(url)
    with write_session(url) as db:
        load_demo(db, "demo12345")
        sellers = list(db.scalars(select(User.id).where(User.username.in_(["sales", "sales2"]))))
        complexes = list(db.scalars(select(Complex.id)))
        rows = lead_rows(random.Random(SEED), LEADS, sellers, complexes)
        for start in range(0, len(rows), 10_000):
            db.execute(insert(Lead), rows[start : start + 10_000])
    with write_session(url) as db:
        return db.scalar(select(func.count()).select_from(Lead))


def main() -> None:
    """Build, serve, measure, print."""
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, uvicorn {uvicorn.__version__}")
    with tempfile.TemporaryDirectory(prefix="crm-bench-leads-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        started = time.perf_counter()
        total = build(url)
        print(f"data: {total} leads; built in {time.perf_counter() - started:.1f} s")
        settings = make_settings(url, Path(tmp))
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
        deep = LEADS // 25 // 2
        pages = [
            ("bare starlette /", "bare", "/", 1000),
            ("mop list, filtered p1", "mop", "/dashboard/mop/leads?status=in_work&source=instagram", 100),
            ("mop list, all p1", "mop", "/dashboard/mop/leads", 100),
            (f"mop list, deep p{deep}", "mop", f"/dashboard/mop/leads?page={deep}", 60),
            ("mop json, filtered p1", "mop", "/api/mop/leads?status=new&temperature=hot", 100),
            ("mop search phone", "mop", "/api/mop/leads?q=0012345", 60),
            ("sales own list p1", "sales", "/dashboard/sales/leads?status=in_work", 100),
            ("sales kanban", "sales", "/dashboard/sales/kanban", 40),
            ("sales kanban json", "sales", "/api/sales/kanban", 40),
        ]
        try:
            results = measure_pages(clients, pages, counter)
        finally:
            for client in clients.values():
                client.close()
            for server, thread in servers:
                server.should_exit = True
                thread.join(timeout=15)
            get_engine(url).dispose()
    print_rows(results)


if __name__ == "__main__":
    main()

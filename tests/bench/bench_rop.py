"""Benchmark of the ROP's aggregate pages over 100,000 leads and 10,000 contracts, against a bare Starlette endpoint.

Run from the repository root:  python -m tests.bench.bench_rop [--redis redis://127.0.0.1:6379/15]

It builds a throw-away SQLite database: the demo data, 100,000 leads over two years with a
status history step per lead that moved, 10,000 contracts (with their apartments and converted
bookings; a fifth in USD, one in twenty cancelled), daily exchange rates and this month's plans.
Then 5,000 expenses over the same two years (a fifth in USD) spread over the demo campaigns and
categories; a third of the leads carry a demo campaign's utm_campaign tag.

It serves the real app and a one-route Starlette app with uvicorn in background threads and
times sequential keep-alive requests: warm p50/p95 (the aggregates cached, see app/core/cache.py)
and, per page, one cold request right after the data areas' counters moved (what a write
costs the next reader). Target: warm p50 under 100 ms. This is not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import func, insert, select
from starlette.applications import Starlette
from starlette.routing import Route

from app.auth.deps import SESSION_COOKIE
from app.auth.models import User
from app.auth.service import session_token
from app.core import cache, clock
from app.db import get_engine, write_session
from app.demo import load_demo
from app.domain.bookings.models import Booking, BookingStatus
from app.domain.contracts.models import Contract, ContractStatus
from app.domain.finance.models import ExchangeRate
from app.domain.inventory.models import Apartment, ApartmentStatus, Building, Complex, Currency
from app.domain.leads.models import Lead, LeadStatus, LeadStatusChange
from app.domain.marketing.models import Campaign, Expense, ExpenseCategory
from app.domain.reports.models import SalesPlan
from app.migrations import upgrade
from main import server_socket
from tests.bench.bench_leads import lead_rows
from tests.bench.bench_pages import HOST, SqlCounter, bare_endpoint, make_settings, measure_pages, print_rows, serve

LEADS = 100_000
CONTRACTS = 10_000
EXPENSES = 5_000
SEED = 10
LOST_REASONS = ["Дорого", "Купил у конкурента", "Не подошла планировка", "Не дозвонились", "Передумал", ""]
RANK = {LeadStatus.IN_WORK: 1, LeadStatus.BOOKED: 2, LeadStatus.SOLD: 3}


def history_rows(leads: list[tuple[int, LeadStatus, object]]) -> list[dict]:
    """A status step per lead that left "new" (via "in work" for booked and sold leads)."""
    rows = []
    for lead_id, status, created in leads:
        if status == LeadStatus.NEW:
            continue
        if status in (LeadStatus.BOOKED, LeadStatus.SOLD):
            rows.append(
                {"lead_id": lead_id, "from_status": LeadStatus.NEW, "to_status": LeadStatus.IN_WORK, "at": created}
            )
        rows.append({"lead_id": lead_id, "from_status": LeadStatus.IN_WORK, "to_status": status, "at": created})
    return rows


def build_contracts(db, rng: random.Random, sold: list[tuple[int, int, object]]) -> None:
    """CONTRACTS contracts over sold leads, each with its own sold apartment and converted booking."""
    building_id = db.scalar(select(Building.id).order_by(Building.id))
    now = clock.now()
    apartments = [
        {
            "building_id": building_id,
            "section": 1,
            "floor": 1,
            "number": f"b{n}",
            "rooms": 2,
            "area": Decimal("60.00"),
            "price_per_m2": Decimal("10000000.00"),
            "total_price": Decimal("600000000.00"),
            "status": ApartmentStatus.SOLD,
        }
        for n in range(CONTRACTS)
    ]
    db.execute(insert(Apartment), apartments)
    apartment_ids = list(db.scalars(select(Apartment.id).where(Apartment.number.like("b%")).order_by(Apartment.id)))
    bookings, contracts = [], []
    for n, (lead_id, seller, created) in enumerate(sold[:CONTRACTS]):
        signed = min(created + timedelta(days=rng.randint(1, 60), hours=rng.randint(0, 23)), now)
        usd = rng.random() < 0.2
        price = Decimal(rng.randrange(45_000, 120_000)) if usd else Decimal(rng.randrange(400, 1500) * 1_000_000)
        discount = (price * Decimal(rng.choice([0, 0, 1, 2, 3, 5])) / 100).quantize(Decimal("1"))
        bookings.append(
            {
                "apartment_id": apartment_ids[n],
                "lead_id": lead_id,
                "salesperson_id": seller,
                "status": BookingStatus.CONVERTED,
                "created_at": signed,
                "expires_at": signed + timedelta(days=3),
                "ended_at": signed,
            }
        )
        contracts.append(
            {
                "number": f"B-{n:06d}",
                "apartment_id": apartment_ids[n],
                "lead_id": lead_id,
                "salesperson_id": seller,
                "status": ContractStatus.CANCELLED if rng.random() < 0.05 else ContractStatus.ACTIVE,
                "buyer_full_name": "Покупатель",
                "buyer_passport": f"AB{n:07d}",
                "buyer_phone": "+998901234567",
                "currency": Currency.USD if usd else Currency.UZS,
                "price": price,
                "discount": discount,
                "total": price - discount,
                "down_payment": Decimal(0),
                "months": 12,
                "start_date": signed.date(),
                "signed_at": signed,
            }
        )
    for start in range(0, len(bookings), 5_000):
        db.execute(insert(Booking), bookings[start : start + 5_000])
    booking_ids = list(
        db.scalars(select(Booking.id).where(Booking.status == BookingStatus.CONVERTED).order_by(Booking.id))
    )
    booking_ids = booking_ids[-len(contracts) :]
    for row, booking_id in zip(contracts, booking_ids, strict=True):
        row["booking_id"] = booking_id
    for start in range(0, len(contracts), 5_000):
        db.execute(insert(Contract), contracts[start : start + 5_000])


def build_expenses(db, rng: random.Random) -> int:
    """EXPENSES expenses over two years on the demo categories and campaigns, a fifth in USD; how many."""
    categories = list(db.scalars(select(ExpenseCategory.id)))
    campaign_ids = [*db.scalars(select(Campaign.id)), None]
    today = clock.today()
    rows = [
        {
            "day": today - timedelta(days=rng.randrange(2 * 365)),
            "amount": Decimal(rng.randrange(100, 5_000)) if usd else Decimal(rng.randrange(100_000, 50_000_000)),
            "currency": Currency.USD if usd else Currency.UZS,
            "category_id": rng.choice(categories),
            "campaign_id": rng.choice(campaign_ids),
            "note": "",
        }
        for usd in (rng.random() < 0.2 for _ in range(EXPENSES))
    ]
    db.execute(insert(Expense), rows)
    return len(rows)


def build(url: str) -> dict[str, int]:
    """Migrate, load the demo data, bulk-insert leads, history, contracts, rates and plans; returns sizes."""
    upgrade(url)
    rng = random.Random(SEED)
    with write_session(url) as db:
        load_demo(db, "demo12345")
        sellers = list(db.scalars(select(User.id).where(User.username.in_(["sales", "sales2"]))))
        complexes = list(db.scalars(select(Complex.id)))
        campaign_keys = [*db.scalars(select(Campaign.utm_campaign)), "", "", "", "", ""]
        rows = lead_rows(rng, LEADS, sellers, complexes)
        for row in rows:
            row["phone"] = "+99891" + row["phone"][6:]  # apart from the demo's phones
            if row["status"] == LeadStatus.LOST:
                row["lost_reason"] = rng.choice(LOST_REASONS)
            row["utm_campaign"] = rng.choice(campaign_keys)
        for start in range(0, len(rows), 10_000):
            db.execute(insert(Lead), rows[start : start + 10_000])
        leads = db.execute(select(Lead.id, Lead.status, Lead.created_at, Lead.assigned_id)).all()
        steps = history_rows([(i, s, c) for i, s, c, _ in leads])
        for start in range(0, len(steps), 20_000):
            db.execute(insert(LeadStatusChange), steps[start : start + 20_000])
        sold = [(i, a, c) for i, s, c, a in leads if s == LeadStatus.SOLD]
        rng.shuffle(sold)
        build_contracts(db, rng, sold)
        today = clock.today()
        known = set(db.scalars(select(ExchangeRate.day)))
        days = [today - timedelta(days=n) for n in range(2 * 366)]
        rates = [{"day": d, "uzs_per_usd": Decimal("12000") + n} for n, d in enumerate(days) if d not in known]
        db.execute(insert(ExchangeRate), rates)
        month = clock.month_start(today)
        if not db.scalar(select(func.count()).select_from(SalesPlan).where(SalesPlan.month == month)):
            plans = [
                {"month": month, "salesperson_id": s, "contracts": 200, "amount": Decimal("1e11")} for s in sellers
            ]
            db.execute(insert(SalesPlan), plans)
        expenses = build_expenses(db, rng)
    with write_session(url) as db:
        return {
            "leads": db.scalar(select(func.count()).select_from(Lead)),
            "status steps": db.scalar(select(func.count()).select_from(LeadStatusChange)),
            "contracts": db.scalar(select(func.count()).select_from(Contract)),
            "expenses": expenses,
        }


def cold_ms(client: httpx.Client, path: str) -> float:
    """One request right after the leads and contracts counters moved (the next reader after a write)."""
    cache.bump(["leads", "contracts", "expenses"])
    started = time.perf_counter()
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}")
    return (time.perf_counter() - started) * 1000


def main() -> None:
    """Build, serve, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", default="", help="cache in this Redis instead of in process")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, uvicorn {uvicorn.__version__}")
    with tempfile.TemporaryDirectory(prefix="crm-bench-rop-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        started = time.perf_counter()
        sizes = build(url)
        print("data: " + ", ".join(f"{n} {what}" for what, n in sizes.items()), end="")
        print(f"; built in {time.perf_counter() - started:.1f} s")
        settings = make_settings(url, Path(tmp))
        settings.redis_url = args.redis
        with write_session(url) as db:
            token = session_token(settings, db.scalar(select(User).where(User.username == "rop")), db=db)
        counter = SqlCounter(get_engine(url))
        from app.main import create_app

        bare_sock, app_sock = server_socket(HOST, 0), server_socket(HOST, 0)
        servers = [
            serve(Starlette(routes=[Route("/", bare_endpoint)]), bare_sock),
            serve(create_app(settings, check_schema=False), app_sock),
        ]
        print(f"cache: {cache.backend()}, entries live {cache.ttl_seconds()} s at most")
        base = f"http://{HOST}:{app_sock.getsockname()[1]}"
        clients = {
            "bare": httpx.Client(base_url=f"http://{HOST}:{bare_sock.getsockname()[1]}", timeout=120),
            "rop": httpx.Client(base_url=base, timeout=120, cookies={SESSION_COOKIE: token}),
        }
        today = clock.today()
        year = f"from={(today - timedelta(days=364)).isoformat()}&to={today.isoformat()}"
        quarter = f"from={(today - timedelta(days=89)).isoformat()}&to={today.isoformat()}"
        last_month = clock.month_start(clock.month_start(today) - timedelta(days=1)).strftime("%Y-%m")
        pages = [
            ("bare starlette /", "bare", "/", 1000),
            ("rop home", "rop", "/dashboard/rop/", 200),
            ("rop home json", "rop", "/api/rop/", 200),
            ("plan-fact page", "rop", "/dashboard/rop/plan-fact", 200),
            ("plan-fact json", "rop", "/api/rop/plan-fact", 200),
            ("plan-fact last month", "rop", f"/api/rop/plan-fact?month={last_month}", 200),
            ("funnel page, 90 days", "rop", f"/dashboard/rop/funnel?{quarter}", 200),
            ("funnel json, 90 days", "rop", f"/api/rop/funnel?{quarter}", 200),
            ("funnel page, 365 days", "rop", f"/dashboard/rop/funnel?{year}", 200),
            ("funnel json, 365 days", "rop", f"/api/rop/funnel?{year}", 200),
            ("campaigns page, 90 days", "rop", f"/dashboard/rop/campaigns?{quarter}", 200),
            ("campaigns json, 90 days", "rop", f"/api/rop/campaigns?{quarter}", 200),
            ("campaigns page, 365 days", "rop", f"/dashboard/rop/campaigns?{year}", 200),
            ("campaigns json, 365 days", "rop", f"/api/rop/campaigns?{year}", 200),
            ("expenses page", "rop", "/dashboard/rop/expenses", 200),
            ("expenses totals json", "rop", "/api/rop/expenses/totals", 200),
        ]
        try:
            results = measure_pages(clients, pages, counter)
            cold = {name: cold_ms(clients[who], path) for name, who, path, _ in pages if who != "bare"}
        finally:
            for client in clients.values():
                client.close()
            for server, thread in servers:
                server.should_exit = True
                thread.join(timeout=15)
            get_engine(url).dispose()
    print_rows(results)
    print("\ncold (first request after a write moved the counters), ms:")
    for name, ms in cold.items():
        print(f"  {name:<24} {ms:>8.1f}")


if __name__ == "__main__":
    main()

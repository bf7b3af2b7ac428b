"""Benchmark of the finance reports over 5,000 contracts and 60,000 instalments.

Run from the repository root:  python -m tests.bench.bench_finance   (about a minute on two cores)

It builds a throw-away SQLite database with the demo data plus 5,000 signed contracts (12
monthly instalments each, started over the past 18 months, most paid on time, some behind
by one to six months) and their payments, serves the real app and a bare Starlette app in
background threads, and times sequential keep-alive requests of the debts list (JSON and
HTML), the ageing bucket totals, the contract balances and a year's cash-flow report.
It prints p50/p95 and the ratio of each page's req/s to the bare endpoint's. Not a test.
"""

from __future__ import annotations

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
from app.core import clock
from app.db import get_engine, write_session
from app.demo import load_demo
from app.domain.bookings.models import Booking, BookingStatus
from app.domain.contracts.models import Contract, Instalment, InstalmentKind
from app.domain.contracts.schedule import add_months
from app.domain.finance.models import Payment, PaymentMethod, PaymentType
from app.domain.inventory.models import Apartment, ApartmentStatus, Building, Complex, Currency
from app.domain.leads.models import Lead, LeadSource, LeadStatus, lead_search_key
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

CONTRACTS = 5_000
MONTHS = 12
SEED = 5


def build(url: str) -> dict[str, int]:
    """Demo data, then contracts with schedules and payments inserted in bulk; returns counts."""
    upgrade(url)
    rng = random.Random(SEED)
    today = clock.today()
    with write_session(url) as db:
        load_demo(db, "demo12345")
        seller = db.scalar(select(User.id).where(User.username == "sales"))
        complex_id = db.scalar(select(Complex.id).where(Complex.slug == "bahor"))
        db.execute(
            insert(Building),
            [{"complex_id": complex_id, "name": f"Bench {n}", "floors": 25, "sections": 1} for n in range(20)],
        )
        building_ids = list(db.scalars(select(Building.id).where(Building.name.like("Bench %"))))
        now = clock.now()
        db.execute(
            insert(Apartment),
            [
                {
                    "building_id": building_ids[n % 20],
                    "section": 1,
                    "floor": n // 20 % 25 + 1,
                    "number": f"B{n}",
                    "rooms": 2,
                    "area": Decimal("60"),
                    "price_per_m2": Decimal("10000000"),
                    "total_price": Decimal("600000000"),
                    "status": ApartmentStatus.SOLD,
                    "updated_at": now,
                }
                for n in range(CONTRACTS)
            ],
        )
        apartment_ids = list(db.scalars(select(Apartment.id).where(Apartment.number.like("B%")).order_by(Apartment.id)))
        db.execute(
            insert(Lead),
            [
                {
                    "name": f"Buyer {n}",
                    "phone": f"+99877{n:07d}",
                    "source": LeadSource.CALL,
                    "status": LeadStatus.SOLD,
                    "lost_reason": "",
                    "assigned_id": seller,
                    "touches_count": 1,
                    "last_touch_at": now,
                    "created_at": now,
                    "updated_at": now,
                    "utm_source": "",
                    "utm_medium": "",
                    "utm_campaign": "",
                    "utm_content": "",
                    "utm_term": "",
                    "search_key": lead_search_key(f"Buyer {n}", f"+99877{n:07d}"),
                }
                for n in range(CONTRACTS)
            ],
        )
        lead_ids = list(db.scalars(select(Lead.id).where(Lead.phone.like("+99877%")).order_by(Lead.id)))
        db.execute(
            insert(Booking),
            [
                {
                    "apartment_id": a,
                    "lead_id": lead,
                    "salesperson_id": seller,
                    "status": BookingStatus.CONVERTED,
                    "created_at": now,
                    "expires_at": now,
                    "end_reason": "contract",
                    "extension_status": "none",
                    "extension_hours": 0,
                    "extension_reason": "",
                }
                for a, lead in zip(apartment_ids, lead_ids, strict=True)
            ],
        )
        booking_ids = list(
            db.scalars(select(Booking.id).where(Booking.apartment_id.in_(apartment_ids)).order_by(Booking.id))
        )
        starts = [today - timedelta(days=rng.randrange(0, 540)) for _ in range(CONTRACTS)]
        db.execute(
            insert(Contract),
            [
                {
                    "number": f"B-{n:05d}",
                    "booking_id": booking_ids[n],
                    "apartment_id": apartment_ids[n],
                    "lead_id": lead_ids[n],
                    "salesperson_id": seller,
                    "status": "active",
                    "buyer_full_name": f"Buyer {n}",
                    "buyer_passport": "AA1234567",
                    "buyer_phone": f"+99877{n:07d}",
                    "buyer_address": "",
                    "currency": Currency.UZS,
                    "price": Decimal("600000000"),
                    "discount": Decimal(0),
                    "discount_reason": "",
                    "total": Decimal("600000000"),
                    "down_payment": Decimal(0),
                    "months": MONTHS,
                    "start_date": starts[n],
                    "signed_at": now,
                    "cancel_reason": "",
                }
                for n in range(CONTRACTS)
            ],
        )
        contract_ids = list(db.scalars(select(Contract.id).where(Contract.number.like("B-%")).order_by(Contract.id)))
        instalments, payments = [], []
        for n, contract_id in enumerate(contract_ids):
            behind = rng.choice([0, 0, 0, 1, 2, 3, 6])
            for seq in range(1, MONTHS + 1):
                due = add_months(starts[n], seq)
                is_paid = due <= today and seq <= max(0, (today - starts[n]).days // 30 - behind)
                instalments.append(
                    {
                        "contract_id": contract_id,
                        "seq": seq,
                        "kind": InstalmentKind.MONTHLY,
                        "due_date": due,
                        "amount": Decimal("50000000"),
                        "paid": Decimal("50000000") if is_paid else Decimal(0),
                    }
                )
                if is_paid:
                    payments.append(
                        {
                            "contract_id": contract_id,
                            "amount": Decimal("50000000"),
                            "currency": Currency.UZS,
                            "amount_in_contract_currency": Decimal("50000000"),
                            "paid_at": due,
                            "method": PaymentMethod.TRANSFER,
                            "type": PaymentType.INSTALLMENT,
                            "status": "completed",
                            "note": "",
                            "request_hash": "",
                            "created_at": now,
                            "cancel_reason": "",
                        }
                    )
        for start in range(0, len(instalments), 10_000):
            db.execute(insert(Instalment), instalments[start : start + 10_000])
        for start in range(0, len(payments), 10_000):
            db.execute(insert(Payment), payments[start : start + 10_000])
    with write_session(url) as db:
        return {
            "contracts": db.scalar(select(func.count()).select_from(Contract)),
            "instalments": db.scalar(select(func.count()).select_from(Instalment)),
            "payments": db.scalar(select(func.count()).select_from(Payment)),
        }


def main() -> None:
    """Build, serve, measure, print."""
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, uvicorn {uvicorn.__version__}")
    with tempfile.TemporaryDirectory(prefix="crm-bench-finance-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        started = time.perf_counter()
        sizes = build(url)
        print(f"data: {sizes}; built in {time.perf_counter() - started:.1f} s")
        settings = make_settings(url, Path(tmp))
        with write_session(url) as db:
            token = session_token(settings, db.scalar(select(User).where(User.username == "finance")))
        counter = SqlCounter(get_engine(url))
        from app.main import create_app

        bare_sock, app_sock = server_socket(HOST, 0), server_socket(HOST, 0)
        servers = [
            serve(Starlette(routes=[Route("/", bare_endpoint)]), bare_sock),
            serve(create_app(settings, check_schema=False), app_sock),
        ]
        year = clock.today().year
        clients = {
            "bare": httpx.Client(base_url=f"http://{HOST}:{bare_sock.getsockname()[1]}", timeout=60),
            "app": httpx.Client(
                base_url=f"http://{HOST}:{app_sock.getsockname()[1]}", timeout=60, cookies={SESSION_COOKIE: token}
            ),
        }
        pages = [
            ("bare starlette /", "bare", "/", 1000),
            ("debts json p1", "app", "/api/finance/debts", 60),
            ("debts json 90+ bucket", "app", "/api/finance/debts?bucket=90%2B", 60),
            ("debts html p1", "app", "/dashboard/finance/debts", 60),
            ("bucket totals", "app", "/api/finance/debts/buckets", 60),
            ("balances json p1", "app", "/api/finance/balances", 60),
            ("cashflow json year", "app", f"/api/finance/cashflow?date_from={year}-01-01&date_to={year}-12-31", 40),
            (
                "cashflow html year",
                "app",
                f"/dashboard/finance/cashflow?date_from={year}-01-01&date_to={year}-12-31",
                40,
            ),
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

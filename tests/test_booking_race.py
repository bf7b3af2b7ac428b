"""Two salespeople race for one apartment: 50 concurrent booking requests against a served
app answer exactly one 201 and 409 for all the rest, no 5xx, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from app.auth.permissions import Role
from app.db import write_session
from app.main import create_app
from app.migrations import upgrade
from tests.conftest import make_settings
from tests.factories import PASSWORD, free_apartment, make_lead, make_user
from tests.serving import served_app

REQUESTS = 50


@pytest.fixture
def served(empty_database, tmp_path):
    """The app on a free port over a fresh database with two salespeople, their leads and one free flat."""
    upgrade(empty_database)
    with write_session(empty_database) as db:
        first, second = make_user(db, Role.SALES, "racer1"), make_user(db, Role.SALES, "racer2")
        leads = {"racer1": make_lead(db, first).id, "racer2": make_lead(db, second).id}
        apartment_id = free_apartment(db, "race").id
    app = create_app(make_settings(empty_database, tmp_path))
    with served_app(app) as base:
        yield base, leads, apartment_id, empty_database


def test_fifty_concurrent_bookings_only_one_wins(served):
    base, leads, apartment_id, url = served
    tokens = {}
    for name in leads:
        response = httpx.post(f"{base}/api/auth/token", json={"username": name, "password": PASSWORD})
        tokens[name] = response.json()["access_token"]
    start = threading.Barrier(REQUESTS)

    def attempt(n: int) -> int:
        name = "racer1" if n % 2 else "racer2"
        with httpx.Client(base_url=base, timeout=60) as client:
            start.wait()
            response = client.post(
                "/api/sales/bookings",
                json={"apartment_id": apartment_id, "lead_id": leads[name]},
                headers={"Authorization": f"Bearer {tokens[name]}"},
            )
            return response.status_code

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        statuses = list(pool.map(attempt, range(REQUESTS)))
    assert statuses.count(201) == 1, statuses
    assert statuses.count(409) == REQUESTS - 1, statuses
    with write_session(url) as db:
        from sqlalchemy import func, select

        from app.domain.bookings.models import Booking

        assert db.scalar(select(func.count()).select_from(Booking)) == 1

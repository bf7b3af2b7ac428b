"""200 landing-page requests at once among 4 salespeople on shift: 50 leads each, every lead given
to exactly one salesperson with one recorded decision, no 5xx, on SQLite and PostgreSQL (a served
app, real threads, real connections)."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func, select

from app.auth.permissions import Role
from app.db import write_session
from app.domain.distribution.models import LeadAssignment
from app.domain.leads.models import Lead
from app.domain.staff.attendance import attendance
from app.main import create_app
from app.migrations import upgrade
from tests.conftest import make_settings
from tests.factories import make_user
from tests.serving import served_app

REQUESTS = 200
SELLERS = 4
THREADS = 50


@pytest.fixture
def served(empty_database, tmp_path):
    """The app over the database with four salespeople on shift; client addresses from X-Forwarded-For."""
    upgrade(empty_database)
    with write_session(empty_database) as db:
        ids = []
        for n in range(SELLERS):
            seller = make_user(db, Role.SALES, f"seller{n}")
            attendance.check_in(db, seller)
            ids.append(seller.id)
    app = create_app(make_settings(empty_database, tmp_path, trusted_proxies="127.0.0.1"))
    with served_app(app) as base:
        yield base, ids, empty_database


def test_two_hundred_requests_at_once_are_shared_fifty_each(served):
    base, seller_ids, url = served

    def send(n: int) -> int:
        with httpx.Client(base_url=base, timeout=120) as client:
            response = client.post(
                "/api/public/leads",
                json={"name": f"Покупатель {n}", "phone": f"+99897{n:07d}"},
                headers={"X-Forwarded-For": f"10.1.{n // 200}.{n % 200 + 1}"},
            )
            return response.status_code

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        statuses = list(pool.map(send, range(REQUESTS)))
    assert statuses == [201] * REQUESTS, Counter(statuses)
    with write_session(url) as db:
        owners = Counter(db.scalars(select(Lead.assigned_id)))
        assert sum(owners.values()) == REQUESTS and None not in owners
        assert dict(owners) == {seller_id: REQUESTS // SELLERS for seller_id in seller_ids}
        decisions = db.execute(
            select(LeadAssignment.lead_id, func.count(), func.min(LeadAssignment.salesperson_id)).group_by(
                LeadAssignment.lead_id
            )
        ).all()
        assert len(decisions) == REQUESTS and all(n == 1 for _, n, _ in decisions)
        assert {lead_id: seller for lead_id, _, seller in decisions} == dict(
            db.execute(select(Lead.id, Lead.assigned_id)).all()
        )

"""Two dispatchers drop two orders onto one technician's same slot at once: one wins, one gets 409,
and the technician is never double-booked; on SQLite and PostgreSQL (a served app, real threads)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time, timedelta

import httpx
import pytest
from sqlalchemy import select

from app.auth.permissions import Role
from app.core import clock
from app.db import write_session
from app.domain.dispatch.models import OrderStatus, WorkOrder
from app.main import create_app
from app.migrations import upgrade
from tests.conftest import make_settings
from tests.factories import PASSWORD, make_technician, make_user, make_work_order
from tests.serving import served_app

ROUNDS = 6


@pytest.fixture
def served(empty_database, tmp_path):
    """The app over the database with two dispatchers, one technician and two orders per round."""
    upgrade(empty_database)
    with write_session(empty_database) as db:
        first = make_user(db, Role.DISPATCHER, "dispatcher_a")
        make_user(db, Role.DISPATCHER, "dispatcher_b")
        technician_id = make_technician(db).id
        pairs = [(make_work_order(db, actor=first).id, make_work_order(db, actor=first).id) for _ in range(ROUNDS)]
    app = create_app(make_settings(empty_database, tmp_path))
    with served_app(app) as base:
        yield base, technician_id, pairs, empty_database


def token(base: str, username: str) -> str:
    """A bearer token, asked for as a client would."""
    answer = httpx.post(f"{base}/api/auth/token", json={"username": username, "password": PASSWORD}, timeout=60)
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


def test_two_drops_on_one_slot_one_wins_one_conflicts(served):
    base, technician_id, pairs, url = served
    tokens = [token(base, "dispatcher_a"), token(base, "dispatcher_b")]
    for n, (first, second) in enumerate(pairs):
        start = clock.from_local(datetime.combine(clock.today() + timedelta(days=1 + n), time(10))).isoformat()
        barrier = threading.Barrier(2)

        def drop(args: tuple[int, str], start: str = start, barrier: threading.Barrier = barrier) -> int:
            order_id, bearer = args
            with httpx.Client(base_url=base, timeout=120, headers={"Authorization": f"Bearer {bearer}"}) as client:
                client.get("/health")  # connect first, so both requests leave together
                barrier.wait()
                answer = client.patch(
                    f"/api/dispatcher/work-orders/{order_id}",
                    json={"technician_id": technician_id, "scheduled_start": start},
                )
                return answer.status_code

        with ThreadPoolExecutor(max_workers=2) as pool:
            statuses = sorted(pool.map(drop, [(first, tokens[0]), (second, tokens[1])]))
        assert statuses == [200, 409], (n, statuses)
    with write_session(url) as db:
        booked = db.scalars(select(WorkOrder).where(WorkOrder.status == OrderStatus.SCHEDULED)).all()
        assert len(booked) == ROUNDS
        assert len({order.scheduled_start for order in booked}) == ROUNDS  # one order per slot

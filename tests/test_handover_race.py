"""Two requests at once for one contract's handover: one 201, one 409; two payments that each
complete a contract at once: one handover order. On SQLite and PostgreSQL (a served app, real threads)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func, select

from app.auth.permissions import Role
from app.db import write_session
from app.domain.dispatch.models import OrderKind, WorkOrder
from app.main import create_app
from app.migrations import upgrade
from tests.conftest import make_settings
from tests.factories import make_contract, make_user
from tests.serving import served_app
from tests.test_dispatch_race import token

ROUNDS = 4


@pytest.fixture
def served(empty_database, tmp_path):
    """The app over the database with two dispatchers, two cashiers and contracts of 6 000 each."""
    upgrade(empty_database)
    with write_session(empty_database) as db:
        for role, names in ((Role.DISPATCHER, ("dispatcher_a", "dispatcher_b")), (Role.FINANCE, ("cash_a", "cash_b"))):
            for name in names:
                make_user(db, role, name)
        contracts = [make_contract(db, price_per_m2="100", months=2).id for _ in range(2 * ROUNDS)]
    app = create_app(make_settings(empty_database, tmp_path))
    with served_app(app) as base:
        yield base, contracts, empty_database


def together(base: str, bearers: list[str], send: Callable[[httpx.Client], httpx.Response]) -> list[int]:
    """Send one request per bearer at the same moment; their statuses, sorted."""
    barrier = threading.Barrier(len(bearers))

    def one(bearer: str) -> int:
        with httpx.Client(base_url=base, timeout=120, headers={"Authorization": f"Bearer {bearer}"}) as client:
            client.get("/health")  # connect first, so the requests leave together
            barrier.wait()
            return send(client).status_code

    with ThreadPoolExecutor(max_workers=len(bearers)) as pool:
        return sorted(pool.map(one, bearers))


def handovers_of(url: str, contract_id: int) -> int:
    with write_session(url) as db:
        q = select(func.count()).where(WorkOrder.contract_id == contract_id, WorkOrder.kind == OrderKind.HANDOVER)
        return db.scalar(q)


def test_two_requests_at_once_one_wins_one_conflicts(served):
    base, contracts, url = served
    bearers = [token(base, "dispatcher_a"), token(base, "dispatcher_b")]
    for contract_id in contracts[:ROUNDS]:
        statuses = together(base, bearers, lambda c, i=contract_id: c.post(f"/api/dispatcher/contracts/{i}/handover"))
        assert statuses == [201, 409], (contract_id, statuses)
        assert handovers_of(url, contract_id) == 1


def test_two_completing_payments_at_once_raise_one_handover(served):
    base, contracts, url = served
    bearers = [token(base, "cash_a"), token(base, "cash_b")]
    for contract_id in contracts[ROUNDS:]:
        body = {"contract_id": contract_id, "amount": "6000", "paid_at": "2026-01-10", "method": "cash"}
        statuses = together(base, bearers, lambda c, b=body: c.post("/api/finance/payments", json=b))
        assert statuses == [201, 201], (contract_id, statuses)
        assert handovers_of(url, contract_id) == 1

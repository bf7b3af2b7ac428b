"""An empty connection pool never stalls a served app: with the pool shrunk to two connections
and both held elsewhere, 20 concurrent requests (public pages of a logged-in user, lead lists,
comments) each answer 200/201 or 503 with Retry-After, /health answers at once while they
wait (no checkout blocks the event loop), and once the connections come back all is well."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from app.auth.deps import SESSION_COOKIE
from app.auth.permissions import Role
from app.auth.service import session_token
from app.db import get_engine, write_session
from app.main import create_app
from app.migrations import upgrade
from tests.conftest import make_settings
from tests.factories import free_apartment, make_lead, make_user
from tests.serving import served_app

REQUESTS = 20
POOL_SIZE = 2
POOL_TIMEOUT = 2  # seconds
HOLD_SECONDS = 5.0  # well over the pool timeout: the first waiters get 503, even on a busy machine
# Were /health stuck behind pool waits, each probe would take a pool timeout: at most
# HOLD_SECONDS / POOL_TIMEOUT of them could answer while the pool is held.
MIN_HEALTH_ANSWERS = int(HOLD_SECONDS / POOL_TIMEOUT) + 2
SLUG = "pool-complex"


@pytest.fixture
def served(empty_database, tmp_path):
    """The app with a two-connection pool, on a free port, over a database with a salesperson, a lead, a complex."""
    upgrade(empty_database)
    with write_session(empty_database) as db:
        seller = make_user(db, Role.SALES, "pooled")
        lead_id = make_lead(db, seller).id
        free_apartment(db, SLUG)
        db.expunge(seller)
    settings = make_settings(empty_database, tmp_path, db_pool_size=POOL_SIZE, db_pool_timeout=POOL_TIMEOUT)
    app = create_app(settings)
    with served_app(app) as base:
        yield base, session_token(settings, seller), lead_id, empty_database


def test_requests_answer_and_health_stays_up_while_the_pool_is_empty(served):
    base, token, lead_id, url = served
    engine = get_engine(url, POOL_SIZE, POOL_TIMEOUT)  # the app's own engine (same URL and pool)
    with httpx.Client(base_url=base, timeout=30) as warm:  # first-request costs are not the point here
        assert warm.get("/health").status_code == 200
    held = [engine.connect() for _ in range(POOL_SIZE)]
    start = threading.Barrier(REQUESTS + 1)

    def attempt(n: int) -> httpx.Response:
        with httpx.Client(base_url=base, timeout=30) as client:
            start.wait()
            if n % 4 == 0:
                return client.post(
                    f"/api/sales/leads/{lead_id}/comments",
                    json={"text": f"Звонок {n}"},
                    headers={"Authorization": f"Bearer {token}"},
                )
            if n % 2:
                return client.get(f"/c/{SLUG}", headers={"Cookie": f"{SESSION_COOKIE}={token}"})
            return client.get("/api/sales/leads", headers={"Authorization": f"Bearer {token}"})

    health_times: list[float] = []
    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        futures = [pool.submit(attempt, n) for n in range(REQUESTS)]
        start.wait()
        released_at = time.monotonic() + HOLD_SECONDS
        with httpx.Client(base_url=base, timeout=30) as probe:
            while time.monotonic() < released_at:
                t0 = time.monotonic()
                assert probe.get("/health").status_code == 200
                health_times.append(time.monotonic() - t0)
                time.sleep(0.1)
        for connection in held:
            connection.close()
        responses = [future.result() for future in futures]

    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 201, 503}, statuses
    assert all(r.headers.get("Retry-After") for r in responses if r.status_code == 503), statuses
    assert 503 in statuses, statuses  # the pool was empty for longer than its timeout
    assert len(health_times) >= MIN_HEALTH_ANSWERS, health_times
    with httpx.Client(base_url=base, timeout=30) as client:
        assert client.get(f"/c/{SLUG}", headers={"Cookie": f"{SESSION_COOKIE}={token}"}).status_code == 200
        assert client.get("/api/sales/leads", headers={"Authorization": f"Bearer {token}"}).status_code == 200

"""Login throttling slows the attacker, never locks the owner out (defaults: 5 failures per
account and address, 20 per address, a slowdown after 10 per account)."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from app.auth.deps import SESSION_COOKIE
from app.auth.permissions import Role
from app.core import clock
from tests.conftest import login
from tests.factories import PASSWORD, make_user

RETRY_15_MIN = "Слишком много неудачных попыток. Повторите через 15 мин."


def browser_at(app, address: str) -> TestClient:
    """A browser whose requests come from `address`."""
    return TestClient(app, follow_redirects=False, client=(address, 50000))


def guess(client: TestClient, username: str) -> int:
    """One wrong password through the token API; its status."""
    return client.post("/api/auth/token", json={"username": username, "password": "wrong-guess"}).status_code


def known_browser(app, address: str, username: str) -> TestClient:
    """A browser that logged in to `username` before (it keeps the known-device cookie only)."""
    client = browser_at(app, address)
    assert login(client, username).status_code == 303
    client.cookies.delete(SESSION_COOKIE)
    return client


def test_an_address_guessing_one_account_is_refused_with_when_to_retry(app, db):
    make_user(db, Role.ADMIN, username="boss")
    make_user(db, Role.SALES, username="mallory")
    attacker = known_browser(app, "203.0.113.66", "mallory")  # a known browser, of another account
    assert [guess(attacker, "boss") for _ in range(5)] == [401] * 5
    refused = login(attacker, "boss")  # even with the right password: it is this address's guessing
    assert refused.status_code == 429
    assert RETRY_15_MIN in refused.text and 'data-testid="form-error"' in refused.text
    assert 0 < int(refused.headers["retry-after"]) <= 900
    api = attacker.post("/api/auth/token", json={"username": "boss", "password": PASSWORD})
    assert api.status_code == 429 and api.json()["detail"] == RETRY_15_MIN


def test_the_owner_gets_in_from_another_address_while_one_address_hammers(app, db):
    make_user(db, Role.ADMIN, username="boss")
    attacker = browser_at(app, "203.0.113.66")
    for _ in range(8):
        guess(attacker, "boss")
    assert guess(attacker, "boss") == 429
    owner = browser_at(app, "198.51.100.10")  # a new browser, never logged in before
    assert login(owner, "boss").status_code == 303


def test_the_owner_gets_in_from_a_known_browser_while_many_addresses_attack(app, db, time_machine):
    make_user(db, Role.ADMIN, username="boss")
    office = known_browser(app, "198.51.100.10", "boss")
    for n in range(10):  # a botnet: two guesses from each of five addresses
        assert guess(browser_at(app, f"203.0.113.{n // 2 + 1}"), "boss") == 401
    stranger = login(browser_at(app, "192.0.2.50"), "boss")  # the account is slowed down, not locked
    assert stranger.status_code == 429
    assert re.search(r"Слишком много неудачных попыток\. Повторите через \d+ с\.", stranger.text)
    assert login(office, "boss").status_code == 303  # the owner's own browser is not held back
    time_machine.move_to(clock.now() + timedelta(seconds=31))
    assert login(browser_at(app, "192.0.2.50"), "boss").status_code == 303  # one try per 30 s


def test_colleagues_behind_one_address_get_in_from_known_browsers(app, db):
    make_user(db, Role.SALES, username="seller")
    colleague = known_browser(app, "198.51.100.10", "seller")
    noisy = browser_at(app, "198.51.100.10")  # the same office NAT
    for n in range(20):
        guess(noisy, f"nobody{n}")
    assert login(browser_at(app, "198.51.100.10"), "seller").status_code == 429
    assert login(colleague, "seller").status_code == 303
    assert login(browser_at(app, "192.0.2.50"), "seller").status_code == 303


def test_a_known_browser_that_keeps_failing_loses_its_pass(app, db):
    make_user(db, Role.SALES, username="seller")
    stolen = known_browser(app, "198.51.100.10", "seller")
    assert [guess(stolen, "seller") for _ in range(5)] == [401] * 5
    assert login(stolen, "seller").status_code == 429

"""Client addresses: X-Forwarded-For counts only from TRUSTED_PROXIES, read from the right."""

from __future__ import annotations

import ipaddress

import pytest
from fastapi.testclient import TestClient

from app.auth.permissions import Role
from app.auth.proxies import client_ip
from tests.conftest import login, make_settings
from tests.factories import make_user

TRUSTED = (ipaddress.ip_network("10.0.0.0/24"), ipaddress.ip_network("fd00::/8"))
PROXY = ("10.0.0.2", 40000)


@pytest.fixture
def settings(database_url, tmp_path):
    """A trusted proxy network, and an address blocked after 3 failed logins."""
    return make_settings(database_url, tmp_path, trusted_proxies="10.0.0.0/24", login_max_failures_per_ip=3)


def guess(client: TestClient, username: str, forwarded_for: str) -> int:
    body = {"username": username, "password": "wrong-guess"}
    return client.post("/api/auth/token", json=body, headers={"X-Forwarded-For": forwarded_for}).status_code


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("198.51.100.7", ["1.2.3.4"], "198.51.100.7"),  # not a proxy: its header is ignored
        ("10.0.0.2", ["1.2.3.4"], "1.2.3.4"),
        ("10.0.0.2", ["6.6.6.6, 1.2.3.4"], "1.2.3.4"),  # the client wrote 6.6.6.6 itself
        ("10.0.0.2", ["6.6.6.6, 1.2.3.4, 10.0.0.9"], "1.2.3.4"),  # two trusted proxies
        ("10.0.0.2", ["6.6.6.6", "1.2.3.4"], "1.2.3.4"),  # the header sent twice
        ("10.0.0.2", ["not-an-ip, 10.0.0.9"], "10.0.0.9"),  # garbage stops the walk
        ("10.0.0.2", [], "10.0.0.2"),
        ("10.0.0.2", ["[2001:db8::1]:443"], "2001:db8::1"),
        ("fd00::5", ["1.2.3.4:5678"], "1.2.3.4"),
    ],
)
def test_client_ip_is_the_rightmost_untrusted_hop(peer, forwarded, expected):
    assert client_ip(peer, forwarded, TRUSTED) == expected


def test_nobody_is_trusted_by_default():
    assert client_ip("10.0.0.2", ["1.2.3.4"], ()) == "10.0.0.2"


def test_rotating_forwarded_for_from_an_untrusted_peer_changes_nothing(app, db):
    make_user(db, Role.SALES, username="seller")
    direct = TestClient(app, follow_redirects=False, client=("198.51.100.7", 50000))
    assert [guess(direct, f"nobody{n}", f"203.0.113.{n}") for n in range(3)] == [401] * 3
    assert guess(direct, "nobody9", "203.0.113.99") == 429  # still the same address
    assert login(direct, "seller").status_code == 429


def test_behind_a_trusted_proxy_each_client_counts_apart(app, db):
    make_user(db, Role.SALES, username="seller")
    proxy = TestClient(app, follow_redirects=False, client=PROXY)
    statuses = [guess(proxy, f"nobody{n}", f"192.0.2.{n}, 198.51.100.7") for n in range(4)]
    assert statuses == [401, 401, 401, 429]  # the spoofed left-most part does not help
    other = TestClient(app, follow_redirects=False, client=PROXY, headers={"X-Forwarded-For": "198.51.100.8"})
    assert login(other, "seller").status_code == 303  # another client behind the same proxy

"""Server-side sessions: logout ends the token on the server, bearer tokens have sessions too,
one indexed lookup per request; authenticated responses are not stored; HSTS over HTTPS."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.auth.deps import SESSION_COOKIE
from app.auth.permissions import Role
from app.auth.tokens import read_token
from tests.conftest import csrf_from, login, make_settings
from tests.factories import PASSWORD, make_user

PROXY = ("10.0.0.2", 40000)


@pytest.fixture
def settings(database_url, tmp_path):
    """The test app's settings, with one trusted reverse proxy network."""
    return make_settings(database_url, tmp_path, trusted_proxies="10.0.0.0/24")


def browser(app, **kwargs) -> TestClient:
    return TestClient(app, follow_redirects=False, **kwargs)


def test_replaying_the_cookie_after_logout_is_refused(app, db):
    make_user(db, Role.MOP, username="manager")
    first = browser(app)
    assert login(first, "manager").status_code == 303
    stolen = first.cookies.get(SESSION_COOKIE)
    assert first.post("/logout", data={"csrf_token": csrf_from(first, "/profile")}).status_code == 303
    replay = browser(app)
    replay.cookies.set(SESSION_COOKIE, stolen)
    assert replay.get("/dashboard/mop/").status_code == 302  # back to /login
    assert replay.get("/api/mop/").status_code == 401


def test_logout_ends_only_that_browsers_session(app, db):
    make_user(db, Role.SALES, username="seller")
    office, phone = browser(app), browser(app)
    login(office, "seller")
    login(phone, "seller")
    office.post("/logout", data={"csrf_token": csrf_from(office, "/profile")})
    assert phone.get("/dashboard/sales/").status_code == 200
    assert office.get("/dashboard/sales/").status_code == 302


def test_bearer_tokens_have_a_session_that_logout_ends(app, db, settings):
    make_user(db, Role.ROP, username="head")
    client = browser(app)
    token = client.post("/api/auth/token", json={"username": "head", "password": PASSWORD}).json()["access_token"]
    claims = read_token(settings.secret_key, token)
    assert claims and claims.session_id
    headers = {"Authorization": f"Bearer {token}"}
    other = client.post("/api/auth/token", json={"username": "head", "password": PASSWORD}).json()["access_token"]
    assert read_token(settings.secret_key, other).session_id != claims.session_id
    assert client.get("/api/profile", headers=headers).status_code == 200
    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/profile", headers=headers).status_code == 401
    assert client.get("/api/profile", headers={"Authorization": f"Bearer {other}"}).status_code == 200


def test_logout_everywhere_ends_every_session(app, db):
    make_user(db, Role.SALES, username="seller")
    office, phone = browser(app), browser(app)
    login(office, "seller")
    login(phone, "seller")
    assert office.post("/profile/logout-everywhere", data={"csrf_token": csrf_from(office, "/profile")}).status_code
    assert phone.get("/dashboard/sales/").status_code == 302
    again = browser(app)
    assert login(again, "seller").status_code == 303
    assert again.get("/dashboard/sales/").status_code == 200


def test_checking_the_session_is_one_query(client_as, count_queries):
    sales = client_as(Role.SALES)
    with count_queries() as statements:
        assert sales.get("/api/sales/").status_code == 200
    auth = [s for s in statements if "sessions" in s]
    assert len(auth) == 1, statements
    assert "users" in auth[0]  # the session and its user come in one lookup by primary key


def test_signed_in_pages_and_json_are_not_stored(client_as, client):
    sales = client_as(Role.SALES)
    for path in ("/dashboard/sales/", "/api/sales/", "/profile", "/api/profile"):
        assert sales.get(path).headers["cache-control"] == "no-store", path
    assert "no-store" not in client.get("/").headers.get("cache-control", "")  # the public site may be cached


def test_the_login_response_is_not_stored(client, db):
    make_user(db, Role.SALES, username="seller")
    assert login(client, "seller").headers["cache-control"] == "no-store"


def test_hsts_only_over_https(app):
    assert "strict-transport-security" not in browser(app).get("/login").headers
    secure = browser(app, base_url="https://testserver").get("/login")
    assert secure.headers["strict-transport-security"].startswith("max-age=")


def test_a_trusted_proxy_saying_https_makes_it_https(app):
    https = {"X-Forwarded-Proto": "https"}
    proxied = browser(app, client=PROXY, headers=https).get("/login")
    assert "strict-transport-security" in proxied.headers
    assert "secure" in proxied.headers["set-cookie"].lower()  # cookies know the page is HTTPS
    anyone = browser(app, client=("198.51.100.7", 40000), headers=https).get("/login")
    assert "strict-transport-security" not in anyone.headers
    assert "secure" not in anyone.headers["set-cookie"].lower()

"""Login, logout, tokens, revocation, throttling, cookies and CSRF."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from app.auth.csrf import make_csrf_token
from app.auth.permissions import Role
from app.core import clock
from tests.conftest import csrf_from, login
from tests.factories import PASSWORD, make_user


def bearer(client, username, password=PASSWORD):
    response = client.post("/api/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.mark.parametrize("role", list(Role))
def test_login_lands_on_own_dashboard(client, db, role):
    user = make_user(db, role)
    response = login(client, user.username)
    assert response.status_code == 303
    assert response.headers["location"] == f"/dashboard/{role.value}/"
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    assert 'data-testid="dashboard-title"' in page.text


def test_login_is_case_insensitive_and_returns_to_next(client, db):
    user = make_user(db, Role.ADMIN, username="boss")
    token = csrf_from(client)
    response = client.post(
        "/login", data={"username": "BOSS", "password": PASSWORD, "csrf_token": token, "next": "/dashboard/admin/users"}
    )
    assert response.headers["location"] == "/dashboard/admin/users"
    assert user.username == "boss"


def test_login_ignores_offsite_next(client, db):
    make_user(db, Role.SALES, username="seller")
    token = csrf_from(client)
    response = client.post(
        "/login", data={"username": "seller", "password": PASSWORD, "csrf_token": token, "next": "//evil.example/"}
    )
    assert response.headers["location"] == "/dashboard/sales/"


def test_wrong_password_shows_form_again(client, db):
    make_user(db, Role.SALES, username="seller")
    response = login(client, "seller", "wrong-password")
    assert response.status_code == 422
    assert 'data-testid="form-error"' in response.text
    assert "crm_session" not in response.headers.get("set-cookie", "")


def test_empty_fields_are_marked(client):
    token = csrf_from(client)
    response = client.post("/login", data={"username": "", "password": "", "csrf_token": token})
    assert response.status_code == 422
    assert 'data-testid="error-username"' in response.text
    assert 'data-testid="error-password"' in response.text


def test_anonymous_html_redirects_and_json_gets_401(client):
    response = client.get("/dashboard/sales/")
    assert response.status_code == 302
    assert response.headers["location"] == "/login?next=/dashboard/sales/"
    assert client.get("/api/sales/").status_code == 401


def test_wrong_role_gets_403_page_and_json(client_as):
    sales = client_as(Role.SALES)
    page = sales.get("/dashboard/finance/")
    assert page.status_code == 403
    assert 'data-testid="error-page"' in page.text
    assert sales.get("/api/finance/").status_code == 403


def test_admin_opens_every_dashboard(client_as):
    admin = client_as(Role.ADMIN)
    for role in Role:
        assert admin.get(f"/dashboard/{role.value}/").status_code == 200
        assert admin.get(f"/api/{role.value}/").status_code == 200


def test_logout_ends_browser_session(client, db):
    make_user(db, Role.MOP, username="manager")
    login(client, "manager")
    token = csrf_from(client, "/profile")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert client.get("/dashboard/mop/").status_code == 302


def test_token_api_and_bearer_access(client, db):
    make_user(db, Role.ROP, username="head")
    headers = bearer(client, "head")
    response = client.get("/api/rop/", headers=headers)
    assert response.status_code == 200
    assert response.json()["role"] == "rop"
    assert client.get("/api/admin/users", headers=headers).status_code == 403


def test_token_api_rejects_bad_credentials_and_bad_json(client, db):
    make_user(db, Role.ROP, username="head")
    assert client.post("/api/auth/token", json={"username": "head", "password": "nope"}).status_code == 401
    response = client.post("/api/auth/token", json={"username": "head"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "password"]


def test_garbage_bearer_token_is_401(client):
    assert client.get("/api/sales/", headers={"Authorization": "Bearer not.a.jwt"}).status_code == 401


@pytest.mark.parametrize("revoke", ["deactivate", "reset_password", "role_change", "logout_everywhere"])
def test_token_version_revokes_existing_sessions(client, client_as, db, revoke):
    victim = make_user(db, Role.SALES, username="victim")
    headers = bearer(client, "victim")
    cookie_client = TestClient(client.app, follow_redirects=False)
    login(cookie_client, "victim")
    assert cookie_client.get("/dashboard/sales/").status_code == 200
    admin = client_as(Role.ADMIN)
    if revoke == "deactivate":
        assert admin.post(f"/api/admin/users/{victim.id}/active", json={"active": False}).status_code == 200
    elif revoke == "reset_password":
        reset = admin.post(f"/api/admin/users/{victim.id}/password", json={"password": "new-password-1"})
        assert reset.status_code == 200
    elif revoke == "role_change":
        body = {"full_name": "V", "phone": "", "role": "mop", "language": "ru"}
        assert admin.put(f"/api/admin/users/{victim.id}", json=body).status_code == 200
    else:
        assert client.post("/api/profile/logout-everywhere", headers=headers).status_code == 204
    assert client.get("/api/profile", headers=headers).status_code == 401
    assert cookie_client.get("/dashboard/sales/").status_code == 302


def test_password_change_keeps_current_browser_logged_in(client, db):
    make_user(db, Role.FINANCE, username="money")
    login(client, "money")
    other = TestClient(client.app, follow_redirects=False)
    login(other, "money")
    token = csrf_from(client, "/profile")
    response = client.post(
        "/profile/password", data={"current_password": PASSWORD, "password": "brand-new-pass", "csrf_token": token}
    )
    assert response.status_code == 200
    assert client.get("/dashboard/finance/").status_code == 200
    assert other.get("/dashboard/finance/").status_code == 302
    assert login(TestClient(client.app, follow_redirects=False), "money", "brand-new-pass").status_code == 303


def test_password_change_with_wrong_current_password(client, db):
    make_user(db, Role.FINANCE, username="money")
    login(client, "money")
    token = csrf_from(client, "/profile")
    response = client.post(
        "/profile/password", data={"current_password": "nope", "password": "brand-new-pass", "csrf_token": token}
    )
    assert response.status_code == 422
    assert 'data-testid="error-current_password"' in response.text


def test_language_switch_changes_interface(client, db):
    make_user(db, Role.SALES, username="seller")
    login(client, "seller")
    token = csrf_from(client, "/profile")
    assert client.post("/profile/language", data={"language": "en", "csrf_token": token}).status_code == 303
    assert "Log out" in client.get("/dashboard/sales/").text
    token = csrf_from(client, "/profile")
    client.post("/profile/language", data={"language": "ru", "csrf_token": token})
    page = client.get("/dashboard/sales/").text
    assert "Log out" not in page and "Выйти" in page


def test_bad_language_is_refused(client, db):
    make_user(db, Role.SALES, username="seller")
    login(client, "seller")
    token = csrf_from(client, "/profile")
    response = client.post("/profile/language", data={"language": "xx", "csrf_token": token})
    assert response.status_code == 422


# --- throttling ---------------------------------------------------------------------


def test_repeated_failures_for_a_username_get_429_then_recover(client, db, settings, time_machine):
    make_user(db, Role.SALES, username="seller")
    for _ in range(settings.login_max_failures_per_user_address):
        assert login(client, "seller", "wrong").status_code == 422
    blocked = login(client, "seller")  # even the right password waits, from this address
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert 'data-testid="form-error"' in blocked.text
    api = client.post("/api/auth/token", json={"username": "seller", "password": PASSWORD})
    assert api.status_code == 429
    later = clock.now() + timedelta(seconds=settings.login_window_seconds + 1)
    time_machine.move_to(later)
    assert login(client, "seller").status_code == 303


def test_other_users_are_not_locked_by_someone_elses_failures(client, db, settings):
    make_user(db, Role.SALES, username="seller")
    make_user(db, Role.MOP, username="manager")
    for _ in range(settings.login_max_failures_per_user_address):
        login(client, "seller", "wrong")
    assert login(client, "manager").status_code == 303


def test_many_failures_from_one_address_get_429(client, db, settings):
    make_user(db, Role.SALES, username="seller")
    for n in range(settings.login_max_failures_per_ip):
        login(client, f"nobody{n}", "wrong")
    assert login(client, "seller").status_code == 429


# --- cookies -------------------------------------------------------------------------


def test_session_cookie_attributes_over_http(client, db):
    make_user(db, Role.SALES, username="seller")
    response = login(client, "seller")
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("crm_session="))
    attrs = cookie.lower()
    assert "httponly" in attrs and "samesite=lax" in attrs and "max-age=" in attrs
    assert "secure" not in attrs


def test_session_cookie_is_secure_over_https(app, db):
    make_user(db, Role.SALES, username="seller")
    browser = TestClient(app, base_url="https://testserver", follow_redirects=False)
    response = login(browser, "seller")
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("crm_session="))
    assert "secure" in session.lower()


def test_csrf_nonce_cookie_is_httponly(client):
    cookie = client.get("/login").headers["set-cookie"].lower()
    assert cookie.startswith("crm_csrf=") and "httponly" in cookie and "samesite=lax" in cookie


# --- CSRF ----------------------------------------------------------------------------


def test_csrf_missing_forged_and_foreign_tokens_are_refused(client_as, app, settings, user_of):
    admin = client_as(Role.ADMIN)
    del admin.headers["X-CSRF-Token"]
    body = {"username": "newbie", "password": "password-123", "role": "sales"}
    assert admin.post("/dashboard/admin/users", data=body).status_code == 403
    assert admin.post("/dashboard/admin/users", data={**body, "csrf_token": "forged"}).status_code == 403
    sales_user = user_of(Role.SALES)
    nonce = admin.cookies.get("crm_csrf")
    foreign = make_csrf_token(settings.secret_key, nonce, sales_user.id)
    assert admin.post("/dashboard/admin/users", data={**body, "csrf_token": foreign}).status_code == 403
    other_browser = make_csrf_token(settings.secret_key, "another-browser-nonce", user_of(Role.ADMIN).id)
    assert admin.post("/dashboard/admin/users", data={**body, "csrf_token": other_browser}).status_code == 403
    ok = admin.post("/dashboard/admin/users", data={**body, "csrf_token": admin.csrf})
    assert ok.status_code == 303


def test_cookie_json_needs_csrf_but_bearer_does_not(client_as, client, db):
    admin = client_as(Role.ADMIN)
    token = admin.headers.pop("X-CSRF-Token")
    body = {"username": "apiuser", "password": "password-123", "role": "mop"}
    assert admin.post("/api/admin/users", json=body).status_code == 403
    assert admin.post("/api/admin/users", json=body, headers={"X-CSRF-Token": token}).status_code == 201
    make_user(db, Role.ADMIN, username="robot")
    headers = bearer(client, "robot")
    assert client.post("/api/admin/users", json={**body, "username": "apiuser2"}, headers=headers).status_code == 201


def test_login_form_needs_csrf(client, db):
    make_user(db, Role.SALES, username="seller")
    client.get("/login")
    assert client.post("/login", data={"username": "seller", "password": PASSWORD}).status_code == 403


def test_profile_shows_the_users_full_name(client, db):
    user = make_user(db, Role.SALES, full_name="Азиз Каримов")
    login(client, user.username)
    page = client.get("/profile").text
    assert '<dd data-testid="profile-full-name">Азиз Каримов</dd>' in page


def test_an_overlong_username_gets_the_form_back_with_a_message_by_the_field(client, db):
    token = csrf_from(client)
    long_name = "u" * 5000
    answer = client.post("/login", data={"username": long_name, "password": "whatever", "csrf_token": token})
    assert answer.status_code == 422
    assert 'data-testid="error-username"' in answer.text and "64" in answer.text
    assert 'name="password"' in answer.text  # the login form, not a bare error page
    blank = client.post("/login", data={"username": " ", "password": "", "csrf_token": token})
    assert blank.status_code == 422
    assert 'data-testid="error-username"' in blank.text and 'data-testid="error-password"' in blank.text

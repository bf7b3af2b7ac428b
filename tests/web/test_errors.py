"""Errors by request kind: a 500 never shows internals; HTMX gets a toast."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.auth.permissions import Role


def broken_app(app):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals: password=hunter2")

    @app.get("/api/boom")
    def api_boom():
        raise RuntimeError("secret internals: password=hunter2")

    return TestClient(app, raise_server_exceptions=False)


def test_500_page_and_json_hide_internals(app):
    client = broken_app(app)
    page = client.get("/boom")
    assert page.status_code == 500
    assert "hunter2" not in page.text and "RuntimeError" not in page.text
    assert 'data-testid="error-page"' in page.text
    api = client.get("/api/boom")
    assert api.status_code == 500 and "hunter2" not in api.text
    assert set(api.json()) == {"detail"}


def test_htmx_errors_come_back_as_a_toast(client_as):
    admin = client_as(Role.ADMIN)
    response = admin.get("/dashboard/admin/users/987654", headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert response.headers["hx-retarget"] == "#toasts"
    assert 'class="toast error"' in response.text and "<html" not in response.text


def test_htmx_request_without_session_is_sent_to_login(client):
    response = client.get("/dashboard/admin/users", headers={"HX-Request": "true"})
    assert response.headers["hx-redirect"].startswith("/login?next=")


def test_malformed_cookie_header_is_not_a_500(client):
    response = client.get("/login", headers={"Cookie": 'crm_csrf="unterminated; ;;=='})
    assert response.status_code == 200

"""Health endpoints, OpenAPI for JSON routes only, error pages without internals."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import make_settings


def test_health(client):
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/health/db").status_code == 200


def test_health_db_reports_503_with_reason(tmp_path):
    unreachable = "postgresql+psycopg://postgres@127.0.0.1:9/nothing"  # the discard port: refused
    app = create_app(make_settings(unreachable, tmp_path), check_schema=False)
    response = TestClient(app).get("/health/db")
    assert response.status_code == 503
    assert response.json()["status"] == "error" and response.json()["reason"]


def test_openapi_lists_only_json_routes(client):
    schema = client.get("/api/openapi.json").json()
    paths = set(schema["paths"])
    assert "/api/admin/users" in paths and "/api/auth/token" in paths
    assert all(p.startswith("/api/") or p.startswith("/health") for p in paths)
    assert client.get("/api/docs").status_code == 200


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert 'data-testid="error-page"' in response.text
    assert client.get("/api/no/such").json() == {"detail": "Not Found"}


def test_landing_page_is_public(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'href="/login"' in response.text

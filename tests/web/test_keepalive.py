"""A 500 does not cost the client its keep-alive connection (served by uvicorn for real)."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

from app.main import create_app
from tests.conftest import make_settings
from tests.serving import served_app


def test_a_500_keeps_the_connection_open(database_url, tmp_path):
    app = create_app(make_settings(database_url, tmp_path), check_schema=False)

    @app.get("/api/public/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    with served_app(app) as base:
        conn = http.client.HTTPConnection(urlsplit(base).hostname, urlsplit(base).port, timeout=60)
        conn.request("GET", "/api/public/boom")
        first = conn.getresponse()
        body = first.read().decode()
        assert first.status == 500 and "Traceback" not in body and "a bug" not in body
        conn.request("GET", "/api/public/complexes")  # the same connection
        second = conn.getresponse()
        second.read()
        assert second.status == 200
        conn.close()

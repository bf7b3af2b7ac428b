"""A 500 does not cost the client its keep-alive connection (served by uvicorn for real)."""

from __future__ import annotations

import http.client
import socket
import threading
import time

import uvicorn

from app.main import create_app
from tests.conftest import make_settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_500_keeps_the_connection_open(database_url, tmp_path):
    app = create_app(make_settings(database_url, tmp_path), check_schema=False)

    @app.get("/api/public/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/api/public/boom")
        first = conn.getresponse()
        body = first.read().decode()
        assert first.status == 500 and "Traceback" not in body and "a bug" not in body
        conn.request("GET", "/api/public/complexes")  # the same connection
        second = conn.getresponse()
        second.read()
        assert second.status == 200
        conn.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)

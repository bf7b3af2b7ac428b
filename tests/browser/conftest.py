"""Browser fixtures: Debian's Chromium for Playwright, and the app served by uvicorn in a
thread over a migrated SQLite database with the demo data."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import uvicorn

from app.db import write_session
from app.demo import load_demo
from app.main import create_app
from app.migrations import upgrade
from tests.conftest import make_settings

CHROMIUM = "/usr/bin/chromium"
DEMO_PASSWORD = "demo12345"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch the system Chromium (Playwright cannot download its own browser here)."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> str:
    """Base URL of the app served for real, with the demo users loaded."""
    folder = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{folder / 'live.db'}"
    upgrade(url)
    with write_session(url) as db:
        load_demo(db, DEMO_PASSWORD)
    app = create_app(make_settings(url, folder, demo_password=DEMO_PASSWORD))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the live server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)

"""Browser fixtures: Debian's Chromium for Playwright, and the app served by uvicorn in a
thread over a migrated SQLite database with the demo data."""

from __future__ import annotations

import itertools

import pytest

from app.db import write_session
from app.demo import load_demo
from app.main import create_app
from app.migrations import upgrade
from tests.conftest import make_settings
from tests.serving import served_app

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
    # Tests speak through a "proxy" on 127.0.0.1 so each gets its own client address (below):
    # the public form's per-address limit then counts one test's requests, not the whole run's.
    app = create_app(make_settings(url, folder, demo_password=DEMO_PASSWORD, trusted_proxies="127.0.0.1"))
    with served_app(app) as base:
        yield base


_addresses = itertools.count(1)


@pytest.fixture
def client_address() -> str:
    """A client address of this test's own, as a trusted proxy would forward it."""
    n = next(_addresses)
    return f"198.18.{n // 250}.{n % 250 + 1}"


@pytest.fixture(autouse=True)
def forwarded_for_this_test(request, client_address: str) -> None:
    """The test's page sends its own client address, so per-address limits do not leak between tests."""
    if "page" in request.fixturenames:
        request.getfixturevalue("page").set_extra_http_headers({"X-Forwarded-For": client_address})

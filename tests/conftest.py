"""Shared fixtures: databases (SQLite always, PostgreSQL when TEST_DATABASE_URL is set),
a rolled-back transaction per test, the app wired to it, and logged-in clients."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.auth.deps import SESSION_COOKIE, get_db, get_read_session
from app.auth.models import User
from app.auth.permissions import Role
from app.auth.service import session_token
from app.core import cache
from app.db import get_engine
from app.main import create_app
from app.migrations import upgrade
from settings import Settings
from tests.factories import PASSWORD, make_user
from tests.workers import INDEX, create_postgres_database, own_postgres_url

PG_URL = own_postgres_url(os.environ.get("TEST_DATABASE_URL", ""))
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def reset_postgres(url: str) -> None:
    """Drop and recreate the public schema of a PostgreSQL test database."""
    with get_engine(url).connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
        conn.commit()


def pytest_collection_modifyitems(config, items):
    """Browser tests run last: sync Playwright leaves an event loop behind."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> str:
    """A migrated database per backend, shared by the session's tests."""
    if request.param == "postgresql":
        create_postgres_database(PG_URL)
        reset_postgres(PG_URL)
        url = PG_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    upgrade(url)
    return url


SCRATCH_PG_DB = f"crm_scratch_test{INDEX or ''}"


@pytest.fixture(params=BACKENDS)
def empty_database(request, tmp_path) -> str:
    """An empty database of each backend, apart from the suite's shared one."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    url = make_url(PG_URL).set(database=SCRATCH_PG_DB).render_as_string(hide_password=False)
    create_postgres_database(url)
    reset_postgres(url)
    return url


def make_settings(database_url: str, tmp_path: Path, **overrides) -> Settings:
    """Settings for a test app: the given database, a test secret, temp folders."""
    values = dict(
        database_url=database_url,
        secret_key="test-secret-key-that-is-long-enough-for-hs256",
        data_dir=tmp_path,
        backup_dir=tmp_path / "backups",
        media_dir=tmp_path / "media",
        public_version_ttl_ms=0,  # tests change data and look at once; the memo has its own test
    )
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(autouse=True)
def fresh_aggregate_cache() -> None:
    """Each test starts with an empty in-process aggregate cache (app/core/cache.py)."""
    cache.configure()


@pytest.fixture
def db(database_url) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    connection = get_engine(database_url).connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def count_queries(db):
    """A context manager collecting the SQL statements run on the test's connection."""

    @contextmanager
    def counter() -> Iterator[list[str]]:
        statements: list[str] = []

        def record(_conn, _cursor, statement, *_args) -> None:
            statements.append(statement)

        connection = db.connection()
        event.listen(connection, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(connection, "before_cursor_execute", record)

    return counter


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    """The settings of the test app."""
    return make_settings(database_url, tmp_path)


@pytest.fixture
def app(settings, db):
    """The app with every request sharing the test's rolled-back session."""
    application = create_app(settings, check_schema=False)

    def test_db():
        db.commit()  # keep the test's own setup; a failing request undoes only its changes
        db.expire_all()  # each request reads fresh rows, as with a session of its own
        try:
            yield db
            db.commit()
        except BaseException:
            db.rollback()
            raise

    application.dependency_overrides[get_db] = test_db
    application.dependency_overrides[get_read_session] = test_db
    return application


@pytest.fixture
def client(app) -> TestClient:
    """An anonymous browser."""
    return TestClient(app, follow_redirects=False)


def csrf_from(client: TestClient, path: str = "/login") -> str:
    """The CSRF token a page hands this client."""
    match = CSRF_META.search(client.get(path).text)
    assert match, f"no CSRF meta tag on {path}"
    return match.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD):
    """Log `client` in through the form; returns the response."""
    token = csrf_from(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


@pytest.fixture
def user_of(db) -> Callable[[Role], User]:
    """Make a user of a role (one per role per test, created on first use)."""
    made: dict[Role, User] = {}

    def get(role: Role) -> User:
        if role not in made:
            made[role] = make_user(db, role)
        return made[role]

    return get


@pytest.fixture
def client_as(app, user_of) -> Callable[[Role], TestClient]:
    """A logged-in browser for a role; its CSRF token is in `client.csrf`."""

    def make(role: Role) -> TestClient:
        browser = TestClient(app, follow_redirects=False)
        browser.cookies.set(SESSION_COOKIE, session_token(app.state.settings, user_of(role)))
        browser.csrf = csrf_from(browser, "/profile")
        browser.headers["X-CSRF-Token"] = browser.csrf
        return browser

    return make

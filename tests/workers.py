"""Parallel runs (pytest -n): each xdist worker gets its own PostgreSQL and Redis database."""

from __future__ import annotations

import os

from sqlalchemy import text
from sqlalchemy.engine import make_url

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
INDEX = int(WORKER[2:]) if WORKER.startswith("gw") and WORKER[2:].isdecimal() else 0


def own_postgres_url(url: str) -> str:
    """The worker's PostgreSQL database: `url` itself for the first worker, `<name>_w<N>` for the others."""
    if not url or INDEX == 0:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_w{INDEX}").render_as_string(hide_password=False)


def own_redis_url(url: str) -> str:
    """The worker's Redis database: the given number counted down by the worker's index."""
    parsed = url.rsplit("/", 1)
    base, number = (parsed[0], int(parsed[1])) if len(parsed) == 2 and parsed[1].isdecimal() else (url, 15)
    return f"{base}/{max(number - INDEX, 0)}"


def create_postgres_database(url: str) -> None:
    """Create the database `url` names when it does not exist (connecting to the server's `postgres`)."""
    from app.db import get_engine

    name = make_url(url).database
    admin = make_url(url).set(database="postgres").render_as_string(hide_password=False)
    with get_engine(admin).connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))

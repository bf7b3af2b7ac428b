"""Benchmark of the heaviest pages, served for real, against a bare Starlette endpoint.

Run it from the repository root (well under a minute on two cores; nothing to set up):

    python -m tests.bench.bench_pages          # the table
    python -m tests.bench.bench_pages --sql    # also the SQL each page runs

It builds a throw-away SQLite database in a temp dir (the demo users, ~2,000 more users and
~50,000 audit rows), serves the real app and a one-route Starlette app with uvicorn in
background threads of this process, and times sequential requests on one keep-alive httpx
client per server. Per page it prints the requests made, p50/p95 latency, requests per
second, the response size, and the SQL statements (count, time) one request runs, so N+1
queries show up as counts that grow with the rows shown. The CSV/XLSX exports are timed a
few times (the 50,000-row audit CSV once).

ratio = (req/s of the page) / (req/s of the bare Starlette endpoint) measured in the same
run: the share of the raw uvicorn + HTTP + client throughput a page keeps (1.0 = as fast as
an empty endpoint, 0.05 = twenty times slower). Ratios compare across machines better than
milliseconds do.

This is not a test: it asserts nothing about time, and pytest does not collect it (only
test_*.py files). Each page stops after its N requests or TIME_CAP seconds, whichever is first.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import event, func, insert, select
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from app.auth.deps import SESSION_COOKIE
from app.auth.models import User
from app.auth.permissions import Role
from app.auth.service import session_token
from app.core import clock
from app.db import get_engine, write_session
from app.demo import load_demo
from app.domain.audit.models import AuditEntry
from app.main import create_app
from app.migrations import upgrade
from main import server_socket
from settings import Settings
from tests.factories import password_hash

EXTRA_USERS = 2_000
AUDIT_ROWS = 50_000
TIME_CAP = 8.0  # seconds of measuring per page at most
WARMUP = 5
SEED = 20240601
HOST = "127.0.0.1"
HTMX = {"HX-Request": "true"}
SQL_SHOWN = 12  # statements listed per page with --sql

# (name, server, path, requests, headers); "bare" is the Starlette app, "app" the CRM.
PAGES = [
    ("bare starlette /", "bare", "/", 1000, {}),
    ("GET /health", "app", "/health", 200, {}),
    ("admin home", "app", "/dashboard/admin/", 200, {}),
    ("users page 1", "app", "/dashboard/admin/users", 200, {}),
    ("users page 60", "app", "/dashboard/admin/users?page=60", 200, {}),
    ("users q=sales", "app", "/dashboard/admin/users?q=sales", 200, {}),
    ("api users 100", "app", "/api/admin/users?page_size=100", 100, {}),
    ("audit page 1", "app", "/dashboard/admin/audit", 100, {}),
    ("audit page 1500", "app", "/dashboard/admin/audit?page=1500", 100, {}),
    ("api audit user p10", "app", "/api/admin/audit?entity=user&page=10", 100, {}),
    ("audit htmx rows", "app", "/dashboard/admin/audit", 100, HTMX),
    ("users export csv", "app", "/dashboard/admin/users/export?format=csv", 3, {}),
    ("users export xlsx", "app", "/dashboard/admin/users/export?format=xlsx", 3, {}),
    ("audit export csv", "app", "/dashboard/admin/audit/export?format=csv", 1, {}),
]

ROLE_WEIGHTS = {Role.SALES: 60, Role.MOP: 10, Role.ROP: 4, Role.FINANCE: 10, Role.DISPATCHER: 13, Role.ADMIN: 3}
FIRST_NAMES = ["Азиз", "Дилноза", "Шахзод", "Нодира", "Бахтиёр", "Олим", "Малика", "Сардор", "Гулноза", "Жасур"]
LAST_NAMES = ["Каримов", "Юсупова", "Алиев", "Рахимова", "Назаров", "Умаров", "Исмоилова", "Саидов", "Мирзаева"]
LOGINS = ["karimov", "yusupova", "aliev", "rakhimova", "nazarov", "umarov", "ismoilova", "saidov", "mirzaeva"]
ENTITIES = {"user": 3, "lead": 40, "booking": 20, "contract": 10, "apartment": 15, "payment": 12}
ACTIONS = ["create", "update", "update", "update", "status", "delete"]
FIELDS = [
    ("status", ["new", "in_progress", "booked", "won", "lost"]),
    ("price", ["65000.00", "72500.00", "81000.00", "94300.00"]),
    ("floor", [2, 5, 9, 12, 16]),
    ("phone", ["+998901234567", "+998935551122", ""]),
    ("manager", ["sales", "sales2", "mop"]),
]


def make_settings(database_url: str, tmp: Path) -> Settings:
    """Settings like tests/conftest.make_settings: the bench database, a test secret, temp folders."""
    return Settings(
        database_url=database_url,
        secret_key="bench-secret-key-that-is-long-enough-for-hs256",
        data_dir=tmp,
        backup_dir=tmp / "backups",
    )


def user_rows(rng: random.Random, count: int) -> list[dict]:
    """`count` staff users across roles, all with the tests' precomputed password hash."""
    roles, weights = list(ROLE_WEIGHTS), list(ROLE_WEIGHTS.values())
    hashed, now = password_hash(), clock.now()
    rows = []
    for i in range(count):
        role = rng.choices(roles, weights)[0]
        created = now - timedelta(days=rng.uniform(0, 730))
        rows.append(
            {
                "username": f"{role.value}.{rng.choice(LOGINS)}{i}",
                "full_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                "phone": f"+99890{rng.randrange(10**7):07d}",
                "role": role,
                "is_active": rng.random() > 0.1,
                "language": "ru" if rng.random() < 0.8 else "en",
                "password_hash": hashed,
                "token_version": 1,
                "created_at": created,
                "updated_at": created,
            }
        )
    return rows


def audit_rows(rng: random.Random, count: int, user_ids: list[int]) -> list[dict]:
    """`count` audit entries over the last year, oldest first, with small before/after snapshots."""
    names, weights = list(ENTITIES), list(ENTITIES.values())
    now = clock.now()
    rows = []
    for _ in range(count):
        entity, action = rng.choices(names, weights)[0], rng.choice(ACTIONS)
        field, values = rng.choice(FIELDS)
        rows.append(
            {
                "at": now - timedelta(seconds=rng.uniform(0, 365 * 86400)),
                "actor_id": None if rng.random() < 0.05 else rng.choice(user_ids),
                "entity": entity,
                "entity_id": str(rng.choice(user_ids) if entity == "user" else rng.randrange(1, 8000)),
                "action": action,
                "before": None if action == "create" else {field: rng.choice(values)},
                "after": None if action == "delete" else {field: rng.choice(values)},
            }
        )
    rows.sort(key=lambda row: row["at"])
    return rows


def build_database(url: str) -> dict[str, int]:
    """Migrate, load the demo users, bulk-insert users and audit rows; returns the table sizes."""
    upgrade(url)
    rng = random.Random(SEED)
    with write_session(url) as db:
        load_demo(db, "demo12345")
        db.execute(insert(User), user_rows(rng, EXTRA_USERS))
        user_ids = list(db.scalars(select(User.id)))
        db.execute(insert(AuditEntry), audit_rows(rng, AUDIT_ROWS, user_ids))
    with write_session(url) as db:
        return {
            "users": db.scalar(select(func.count()).select_from(User)),
            "audit_log": db.scalar(select(func.count()).select_from(AuditEntry)),
        }


def serve(app, sock) -> tuple[uvicorn.Server, threading.Thread]:
    """Run `app` with uvicorn on `sock` in a daemon thread, once it has started."""
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise SystemExit("a server did not start")
        time.sleep(0.02)
    return server, thread


async def bare_endpoint(request):
    """The smallest useful response."""
    return PlainTextResponse("ok")


def bare_rate() -> float:
    """Requests per second of a bare Starlette endpoint, one at a time, in this run."""
    sock = server_socket(HOST, 0)
    server, thread = serve(Starlette(routes=[Route("/", bare_endpoint)]), sock)
    try:
        with httpx.Client(base_url=f"http://{HOST}:{sock.getsockname()[1]}") as bare:
            started = time.perf_counter()
            for _ in range(1000):
                bare.get("/")
            return 1000 / (time.perf_counter() - started)
    finally:
        server.should_exit = True
        thread.join(timeout=15)


class SqlCounter:
    """Counts the statements (and their time) the engine runs; reset before one request."""

    def __init__(self, engine) -> None:
        """Listen on `engine`'s cursor events."""
        self.count, self.seconds, self.statements = 0, 0.0, []
        event.listen(engine, "before_cursor_execute", self.before)
        event.listen(engine, "after_cursor_execute", self.after)

    def reset(self) -> None:
        """Start counting afresh."""
        self.count, self.seconds, self.statements = 0, 0.0, []

    def before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        """Count a statement and note when it started."""
        self.count += 1
        self.statements.append(" ".join(statement.split()))
        conn.info["bench_started"] = time.perf_counter()

    def after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        """Add the statement's time."""
        self.seconds += time.perf_counter() - conn.info.pop("bench_started", time.perf_counter())


def get_ok(client: httpx.Client, path: str, headers: dict) -> httpx.Response:
    """GET `path`; stop the benchmark on anything but 200."""
    response = client.get(path, headers=headers)
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}: {response.text[:300]}")
    return response


def measure(client: httpx.Client, path: str, n: int, headers: dict) -> tuple[list[float], int]:
    """Warm up, then time up to `n` sequential requests; returns (seconds each, response bytes)."""
    for _ in range(min(WARMUP, n // 3)):
        get_ok(client, path, headers)
    times: list[float] = []
    size, started = 0, time.perf_counter()
    while len(times) < n and time.perf_counter() - started < TIME_CAP:
        t0 = time.perf_counter()
        response = get_ok(client, path, headers)
        times.append(time.perf_counter() - t0)
        size = len(response.content)
    return times, size


def sql_of(client: httpx.Client, counter: SqlCounter, path: str, headers: dict) -> tuple[int, float, list[str]]:
    """(statements, SQL ms, statement texts) of one request of `path`."""
    counter.reset()
    get_ok(client, path, headers)
    time.sleep(0.02)  # let the request's session close before reading the counters
    return counter.count, counter.seconds * 1000, list(counter.statements)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) of `values`, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def measure_pages(clients: dict, pages: list, counter: SqlCounter) -> list:
    """Time each (name, client key, path, n) page; a page answering other than 200 is reported and skipped.

    Besides wall time, the process's CPU time per request is noted (client and server threads
    together; the bare row gives the floor): it reads the same on a machine busy with other work."""
    results = []
    for name, who, path, n in pages:
        try:
            cpu = time.process_time()
            times, size = measure(clients[who], path, n, {})
            cpu = (time.process_time() - cpu) / (len(times) + min(WARMUP, n // 3))
        except SystemExit as missing:
            print(f"skipped {name}: {str(missing)[:80]}")
            continue
        sql = sql_of(clients[who], counter, path, {}) if who != "bare" else (0, 0.0, [])
        results.append((name, times, size, sql, cpu))
    return results


def print_rows(results: list) -> None:
    """One line per page: requests, p50, p95, req/s, ratio to the first (bare) row, CPU ms, size, statements."""
    bare_rps = len(results[0][1]) / sum(results[0][1])
    print(
        f"\n{'page':<24} {'reqs':>5} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'ratio':>7} {'cpu ms':>7} "
        f"{'KB':>6} {'sql':>4}"
    )
    for name, times, size, (statements, _ms, _texts), cpu in results:
        rps = len(times) / sum(times)
        print(
            f"{name:<24} {len(times):>5} {statistics.median(times) * 1000:>8.2f} "
            f"{percentile(times, 95) * 1000:>8.2f} {rps:>8.1f} {rps / bare_rps:>7.4f} {cpu * 1000:>7.2f} "
            f"{size / 1024:>6.1f} {statements:>4}"
        )
    print("\nratio = page req/s / bare Starlette req/s in the same run; cpu ms = this process's CPU per request")
    print("(client + server; the bare row is the floor), steadier than wall time on a busy machine; sql = statements.")


def main() -> None:
    """Build the data, serve both apps, measure every page, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sql", action="store_true", help="print the SQL statements of each page")
    args = parser.parse_args()
    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, uvicorn {uvicorn.__version__}, "
        f"httpx {httpx.__version__}"
    )
    with tempfile.TemporaryDirectory(prefix="crm-bench-") as tmp:
        db_file = Path(tmp) / "bench.db"
        url = f"sqlite:///{db_file}"
        started = time.perf_counter()
        sizes = build_database(url)
        print(
            f"data: {sizes['users']} users, {sizes['audit_log']} audit rows, "
            f"{db_file.stat().st_size / 1e6:.1f} MB SQLite; built in {time.perf_counter() - started:.1f} s"
        )

        settings = make_settings(url, Path(tmp))
        with write_session(url) as db:
            token = session_token(settings, db.scalar(select(User).where(User.username == "admin")))
        counter = SqlCounter(get_engine(url))
        bare_sock, app_sock = server_socket(HOST, 0), server_socket(HOST, 0)
        servers = [
            serve(Starlette(routes=[Route("/", bare_endpoint)]), bare_sock),
            serve(create_app(settings, check_schema=False), app_sock),
        ]
        clients = {
            "bare": httpx.Client(base_url=f"http://{HOST}:{bare_sock.getsockname()[1]}", timeout=60),
            "app": httpx.Client(
                base_url=f"http://{HOST}:{app_sock.getsockname()[1]}", timeout=60, cookies={SESSION_COOKIE: token}
            ),
        }
        try:
            results = []
            for name, target, path, n, headers in PAGES:
                times, size = measure(clients[target], path, n, headers)
                sql = sql_of(clients[target], counter, path, headers) if target == "app" else (0, 0.0, [])
                results.append((name, path, times, size, sql))
        finally:
            for client in clients.values():
                client.close()
            for server, thread in servers:
                server.should_exit = True
                thread.join(timeout=15)
            get_engine(url).dispose()

    bare_rps = len(results[0][2]) / sum(results[0][2])
    print()
    print(
        f"{'page':<20} {'reqs':>5} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'ratio':>7} "
        f"{'KB':>7} {'sql':>5} {'db ms':>7}"
    )
    for name, _path, times, size, (statements, sql_ms, _texts) in results:
        rps = len(times) / sum(times)
        print(
            f"{name:<20} {len(times):>5} {statistics.median(times) * 1000:>8.2f} "
            f"{percentile(times, 95) * 1000:>8.2f} {rps:>8.1f} {rps / bare_rps:>7.4f} {size / 1024:>7.1f} "
            f"{statements:>5} {sql_ms:>7.2f}"
        )
    print("\nratio = page req/s / bare Starlette req/s; sql = statements one request runs (BEGIN included);")
    print("db ms = their time inside cursor.execute (on SQLite that runs up to the first row, not the fetch).")
    if args.sql:
        for name, path, _times, _size, (_n, _ms, texts) in results[1:]:
            print(f"\n== {name}: GET {path}")
            for text in texts[:SQL_SHOWN]:
                print(f"   {text[:240]}")
            if len(texts) > SQL_SHOWN:
                print(f"   ... and {len(texts) - SQL_SHOWN} more")


if __name__ == "__main__":
    main()

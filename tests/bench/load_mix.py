"""Load test: many concurrent users on the served app (two worker processes), against a bare
Starlette endpoint served the same way.

Run it from the repository root:

    python -m tests.bench.load_mix --db sqlite --clients 50 --seconds 60
    python -m tests.bench.load_mix --db postgresql --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test_load

It migrates a fresh database (a temp SQLite file, or empties the PostgreSQL database given,
which must be one of your own), loads the demo data with `python main.py demo`, serves the app
with `python main.py` (WORKERS=2) on a free loopback port in a subprocess, logs the demo users
in, and runs closed-loop clients (asyncio + httpx, one keep-alive connection each) for
--seconds or --max-requests, whichever comes first:

- 90% reads: lead lists (HTML and JSON), lead pages, staff apartment grids, public pages
  (landing, complex pages anonymous and logged in, the filtered grid fragment);
- 10% writes: lead comments, lead status changes (new <-> in work), public requests (each
  from its own loopback source address, as buyers come from different addresses).

Users send their next request at once (saturating, as a stress test does), or after a random
think time of --think seconds on average (0 to twice that), as people at their desks do.

It prints requests/s, p50/p95/p99, errors, timeouts and 5xx, per kind of request, each
worker's peak memory (VmHWM) and memory at the end, the count of "database is locked" lines in
the server's log, and the ratio to a bare Starlette endpoint served by uvicorn with the same
number of workers and hit by the same clients. This is not a
test: pytest does not collect it and it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
SECRET = "load-secret-key-that-is-long-enough-for-hs256-signing"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test_load"
SLUGS = ("bahor", "samarkand-gardens")
SELLERS = ("sales", "sales2")
STAFF = ("sales", "sales2", "mop", "rop", "admin")
LOCKED = "database is locked"
SEED = 9


async def bare_endpoint(request):
    """The smallest useful response."""
    return PlainTextResponse("ok")


bare_app = Starlette(routes=[Route("/", bare_endpoint)])


@dataclass
class Stats:
    """Latencies and failures by kind of request."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    timeouts: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)

    def note(self, kind: str, message: str) -> None:
        """Keep a few failure messages to print."""
        if len(self.samples) < 8:
            self.samples.append(f"{kind}: {message[:200]}")


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) of `values`, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] if ordered else 0.0


def reset_postgres(url: str) -> None:
    """Empty the public schema of the benchmark's own PostgreSQL database."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
        conn.commit()
    engine.dispose()


def server_env(database_url: str, data_dir: Path, workers: int, port: int) -> dict[str, str]:
    """The environment the CLI and the server run with."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DATA_DIR=str(data_dir),
        SECRET_KEY=SECRET,
        APP_ENV="development",
        HOST=HOST,
        PORT=str(port),
        WORKERS=str(workers),
        LOG_LEVEL="WARNING",
        BROKER_URL="",
        REDIS_URL="",
        TRUST_PROXY="false",
    )
    return env


def wait_until_up(base: str, process: subprocess.Popen, deadline_s: float = 60) -> None:
    """Poll /health until the server answers; stop if it died."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not come up")


def _status_kb(pid: int, field: str) -> int:
    """A /proc/<pid>/status value in kB (0 if the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def worker_memory(server_pid: int) -> list[tuple[int, int, int]]:
    """(pid, peak RSS kB, RSS kB) of each serving process: the spawned workers, or the server itself."""
    children: list[int] = []
    for task in Path(f"/proc/{server_pid}/task").glob("*/children"):
        children += [int(pid) for pid in task.read_text().split()]
    workers = [
        pid
        for pid in children
        if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
        and b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()
    ] or [server_pid]
    return [(pid, _status_kb(pid, "VmHWM"), _status_kb(pid, "VmRSS")) for pid in workers]


def stop(process: subprocess.Popen) -> None:
    """Stop a server we started (SIGINT, then SIGKILL)."""
    if process.poll() is None:
        process.send_signal(2)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class World:
    """What the clients need to know: tokens, lead ids, building ids."""

    tokens: dict[str, str]
    leads_of: dict[str, list[int]]
    buildings: list[int]


def discover(base: str, password: str) -> World:
    """Log the demo users in; find their open leads and the buildings."""
    tokens, leads_of = {}, {}
    with httpx.Client(base_url=base, timeout=30) as client:
        for name in STAFF:
            response = client.post("/api/auth/token", json={"username": name, "password": password})
            response.raise_for_status()
            tokens[name] = response.json()["access_token"]
        for name in SELLERS:
            response = client.get("/api/sales/leads?page_size=100", headers={"Authorization": f"Bearer {tokens[name]}"})
            response.raise_for_status()
            leads_of[name] = [lead["id"] for lead in response.json()["items"] if lead["status"] in ("new", "in_work")]
            if not leads_of[name]:
                raise SystemExit(f"{name} has no open lead in the demo data")
        grid = client.get("/api/sales/grid", headers={"Authorization": f"Bearer {tokens['sales']}"})
        grid.raise_for_status()
        buildings = [b["id"] for c in grid.json() for b in c["buildings"]]
    return World(tokens, leads_of, buildings)


def mix(world: World) -> list[tuple[int, str, object]]:
    """(weight, kind, request maker) of every kind of request; reads weigh 90, writes 10."""
    phones = itertools.count(1_000_000)
    addresses = itertools.count(2)

    def staff(name: str, path: str, htmx: bool = False):
        def make(rng):
            headers = {"HX-Request": "true"} if htmx else {}
            shown = path.format(b=rng.choice(world.buildings), lead=rng.choice(world.leads_of["sales"]))
            return "GET", shown, name, headers, None

        return make

    def public(path: str, user: str | None = None, htmx: bool = False):
        def make(rng):
            headers = {"HX-Request": "true"} if htmx else {}
            return "GET", path.format(slug=rng.choice(SLUGS), rooms=rng.randint(1, 3)), user, headers, None

        return make

    def comment(rng):
        seller = rng.choice(SELLERS)
        lead = rng.choice(world.leads_of[seller])
        body = {"text": f"Перезвонить после {rng.randint(10, 18)}:00"}
        return "POST", f"/api/sales/leads/{lead}/comments", seller, {}, body

    def status(rng):
        seller = rng.choice(SELLERS)
        lead = rng.choice(world.leads_of[seller])
        return "POST", f"/api/sales/leads/{lead}/status", seller, {}, {"status": rng.choice(("new", "in_work"))}

    def request(rng):
        n = next(phones)
        body = {"name": "Покупатель", "phone": f"+99893{n:07d}", "complex_slug": rng.choice(SLUGS)}
        return "PUBLIC-POST", "/api/public/leads", next(addresses), {}, body

    return [
        (14, "lead list html", staff("sales", "/dashboard/sales/leads")),
        (8, "lead list html mop", staff("mop", "/dashboard/mop/leads?page=2")),
        (8, "lead list api", staff("sales2", "/api/sales/leads?page_size=50")),
        (6, "lead page", staff("sales", "/dashboard/sales/leads/{lead}")),
        (10, "staff grid", staff("sales", "/dashboard/sales/buildings/{b}/grid")),
        (4, "staff grid api", staff("rop", "/api/rop/buildings/{b}/grid")),
        (20, "public page", public("/c/{slug}")),
        (6, "public page logged in", public("/c/{slug}", user="sales2")),
        (6, "public grid filter", public("/c/{slug}/grid?rooms={rooms}", htmx=True)),
        (8, "landing", public("/")),
        (4, "comment", comment),
        (3, "status change", status),
        (3, "public request", request),
    ]


def address_of(n: int) -> str:
    """A distinct loopback address for the n-th buyer (127.x.y.z, z never 0 or 255)."""
    high, z = divmod(n, 254)
    return f"127.{1 + (high >> 8) % 254}.{high & 255}.{z + 1}"


async def client_loop(
    n: int,
    base: str,
    world: World,
    kinds: list,
    stop_at: float,
    budget: list[int],
    stats: Stats,
    timeout: float,
    think: float = 0,
) -> None:
    """One user: pick a request by weight, send it, note how long it took, think up to `think`
    seconds (0: none, the next request at once); until time or budget runs out."""
    rng = random.Random(SEED + n)
    weights = [weight for weight, _, _ in kinds]
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=base, timeout=timeout, limits=limits) as client:
        while time.monotonic() < stop_at and budget[0] > 0:
            if think:
                await asyncio.sleep(rng.uniform(0, 2 * think))
            budget[0] -= 1
            _, kind, make = rng.choices(kinds, weights)[0]
            method, path, who, headers, body = make(rng)
            started = time.perf_counter()
            try:
                if method == "PUBLIC-POST":  # a new buyer: a new connection from their own address
                    transport = httpx.AsyncHTTPTransport(local_address=address_of(who))
                    async with httpx.AsyncClient(base_url=base, timeout=timeout, transport=transport) as buyer:
                        response = await buyer.post(path, json=body)
                else:
                    if who and path.startswith("/api/"):
                        headers = {**headers, "Authorization": f"Bearer {world.tokens[who]}"}
                    elif who:  # pages: the session cookie, as a browser sends it
                        headers = {**headers, "Cookie": f"crm_session={world.tokens[who]}"}
                    response = await client.request(method, path, headers=headers, json=body)
            except httpx.TimeoutException:
                stats.timeouts[kind] += 1
                stats.note(kind, "timeout")
                continue
            except httpx.HTTPError as exc:
                stats.errors[kind] += 1
                stats.note(kind, repr(exc))
                continue
            stats.times[kind].append(time.perf_counter() - started)
            stats.statuses[kind][response.status_code] += 1
            if response.status_code >= 400:
                stats.note(kind, f"{response.status_code} {path} {response.text}")


async def run_clients(
    base: str,
    world: World,
    kinds: list,
    clients: int,
    seconds: float,
    max_requests: int,
    timeout: float,
    think: float = 0,
) -> tuple[Stats, float]:
    """Run `clients` users at once; (their stats, wall seconds)."""
    stats, budget = Stats(), [max_requests]
    started = time.monotonic()
    stop_at = started + seconds
    users = (client_loop(n, base, world, kinds, stop_at, budget, stats, timeout, think) for n in range(clients))
    await asyncio.gather(*users)
    return stats, time.monotonic() - started


def report(title: str, stats: Stats, wall: float) -> float:
    """Print the table of one run; returns its requests per second."""
    everything = [t for times in stats.times.values() for t in times]
    total = len(everything) + sum(stats.timeouts.values()) + sum(stats.errors.values())
    rps = total / wall if wall else 0.0
    status_5xx = sum(c for s in stats.statuses.values() for code, c in s.items() if code >= 500)
    status_4xx = sum(c for s in stats.statuses.values() for code, c in s.items() if 400 <= code < 500)
    print(f"\n{title}: {total} requests in {wall:.1f} s = {rps:.1f} req/s")
    print(
        f"  p50 {percentile(everything, 50) * 1000:.0f} ms  p95 {percentile(everything, 95) * 1000:.0f} ms  "
        f"p99 {percentile(everything, 99) * 1000:.0f} ms  max {max(everything, default=0) * 1000:.0f} ms"
    )
    print(
        f"  errors {sum(stats.errors.values())}  timeouts {sum(stats.timeouts.values())}  "
        f"5xx {status_5xx}  4xx {status_4xx}"
    )
    if len(stats.times) > 1:
        print(f"  {'kind':24} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  statuses")
        for kind in sorted(stats.times):
            times = stats.times[kind]
            codes = " ".join(f"{code}x{count}" for code, count in sorted(stats.statuses[kind].items()))
            extra = f" timeouts {stats.timeouts[kind]}" if stats.timeouts[kind] else ""
            print(
                f"  {kind:24} {len(times):6} {percentile(times, 50) * 1000:8.0f} {percentile(times, 95) * 1000:8.0f} "
                f"{percentile(times, 99) * 1000:8.0f}  {codes}{extra}"
            )
    for sample in stats.samples:
        print(f"  e.g. {sample}")
    return rps


def bare_run(args: argparse.Namespace, tmp: Path) -> float:
    """Serve the bare Starlette endpoint with the same workers; the same clients hit it; req/s."""
    port = free_port()
    log = (tmp / "bare.log").open("w")
    command = [sys.executable, "-m", "uvicorn", "tests.bench.load_mix:bare_app", "--host", HOST, "--port", str(port)]
    command += ["--workers", str(args.workers), "--log-level", "warning", "--no-access-log"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://{HOST}:{port}"
    try:
        wait_until_up_bare(base, process)
        kinds = [(1, "bare", lambda rng: ("GET", "/", None, {}, None))]
        world = World({}, {}, [])
        seconds = max(5.0, args.seconds / 6)
        stats, wall = asyncio.run(run_clients(base, world, kinds, args.clients, seconds, args.max_requests, 30))
        return report(f"bare Starlette, {args.workers} workers, {args.clients} clients", stats, wall)
    finally:
        stop(process)
        log.close()


def wait_until_up_bare(base: str, process: subprocess.Popen) -> None:
    """Poll / until the bare server answers."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the bare server exited")
        try:
            if httpx.get(base, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("the bare server did not come up")


def main(argv: list[str] | None = None) -> int:
    """Build, serve, load, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="your own PostgreSQL database (it is emptied)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=200_000, help="stop after this many requests")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=30, help="client timeout per request, seconds")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare Starlette run")
    parser.add_argument(
        "--think", type=float, default=0, help="mean seconds a user waits between requests (0: none, saturating)"
    )
    parser.add_argument("--keep-log", type=Path, help="copy the server's log here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="crm-load-") as tmp_name:
        tmp = Path(tmp_name)
        if args.db == "sqlite":
            database_url = f"sqlite:///{tmp / 'crm.db'}"
        else:
            database_url = args.pg_url
            reset_postgres(database_url)
        port = free_port()
        env = server_env(database_url, tmp, args.workers, port)
        machine = f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs"
        print(f"{machine}, load average {os.getloadavg()[0]:.1f} (other work shares the machine)")
        print(
            f"database: {args.db}; {args.workers} workers; {args.clients} clients; {args.seconds:.0f} s; "
            f"think time {args.think:g} s"
        )
        subprocess.run([sys.executable, "main.py", "demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        log_path = tmp / "server.log"
        with log_path.open("w") as log:
            command = [sys.executable, "main.py"]
            server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            base = f"http://{HOST}:{port}"
            try:
                wait_until_up(base, server)
                world = discover(base, env.get("DEMO_PASSWORD", "demo12345"))
                kinds = mix(world)
                stats, wall = asyncio.run(
                    run_clients(
                        base, world, kinds, args.clients, args.seconds, args.max_requests, args.timeout, args.think
                    )
                )
                memory = worker_memory(server.pid)
            finally:
                stop(server)
        server_log = log_path.read_text(errors="replace")
        if args.keep_log:
            args.keep_log.write_text(server_log)
        app_rps = report(f"app on {args.db}, {args.workers} workers, {args.clients} clients", stats, wall)
        for pid, peak, now in memory:
            print(f"  worker {pid}: peak memory {peak / 1024:.0f} MB (VmHWM), {now / 1024:.0f} MB at the end (VmRSS)")
        locked = server_log.count(LOCKED)
        print(f"  '{LOCKED}' lines in the server log: {locked}")
        tracebacks = server_log.count("Traceback")
        if tracebacks:
            print(f"  tracebacks in the server log: {tracebacks}")
        if not args.no_bare:
            bare_rps = bare_run(args, tmp)
            print(f"\nratio app / bare: {app_rps / bare_rps:.3f}" if bare_rps else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())

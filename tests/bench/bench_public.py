"""Benchmark of the public complex page (2,000 apartments), served for real, against a bare
Starlette endpoint measured in the same run.

Run it from the repository root (about half a minute on two cores; nothing to set up):

    python -m tests.bench.bench_public

It builds a throw-away SQLite database (the demo data plus one public complex of 2,000
apartments in four buildings, two floors of each drawn), serves the app and a one-route
Starlette app with uvicorn in background threads of this process, and times sequential
requests on one keep-alive httpx client per server:

- cold: the first request of /c/<slug> after the inventory version moved (an apartment was
  changed between requests, as an admin would): loads the inventory and renders the grid;
- warm: /c/<slug> again and again (the rendered parts come from the cache; the layout, the
  calculator and the request form are rendered per request);
- the filtered grid fragment, the 304 of a revalidation (If-None-Match), and the poll an open
  page makes every 2 s (204 while nothing changed).

ratio = (req/s of the row) / (req/s of the bare Starlette endpoint): the share of the raw
uvicorn + HTTP + client throughput a row keeps (goal for the warm page: at least 0.5). This is
not a test: pytest does not collect it and it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import func, select, update
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from app.auth.models import User
from app.db import get_engine, write_session
from app.demo import load_demo
from app.domain.inventory.crud import buildings, bump_inventory, complexes
from app.domain.inventory.grids import floor_grids
from app.domain.inventory.models import Apartment, ApartmentStatus, Building, Complex, Currency
from app.domain.inventory.schemas import (
    BuildingCreate,
    ComplexCreate,
    ComplexUpdate,
    GenerateApartments,
    GridCell,
    GridLayout,
)
from app.main import create_app
from app.migrations import upgrade
from main import server_socket
from tests.bench.bench_pages import SqlCounter, bare_endpoint, make_settings, percentile, serve

HOST = "127.0.0.1"
SLUG = "bench-city"
BUILDINGS = [("Блок 1", 25, 20), ("Блок 2", 25, 20), ("Блок 3", 25, 20), ("Блок 4", 25, 20)]  # name, floors, units
DRAWN_FLOORS = 2  # per building, drawn with the floor-grid editor's layout
TIME_CAP = 8.0  # seconds of measuring per row at most
COLD_RUNS = 15
WARMUP = 5
SEED = 7
HTMX = {"HX-Request": "true"}
SIZED = {"body": b""}  # what the bare "same bytes" endpoint answers: the warm page's body


async def sized_endpoint(request):
    """The bare endpoint answering as many bytes as the complex page (the floor for that size)."""
    return Response(SIZED["body"], media_type="text/html; charset=utf-8")


def build_database(url: str) -> dict[str, int]:
    """Migrate, load the demo, add the benchmark complex; returns its size."""
    upgrade(url)
    rng = random.Random(SEED)
    with write_session(url) as db:
        load_demo(db, "demo12345")
        admin = db.scalar(select(User).where(User.username == "admin"))
        details = ComplexCreate(
            name="ЖК Bench City",
            slug=SLUG,
            city="Ташкент",
            address="ул. Нагрузочная, 1",
            description="Две тысячи квартир для замера.",
            currency=Currency.UZS,
        )
        place = complexes.create(db, admin, details)
        for name, floors, units in BUILDINGS:
            building = buildings.create(db, admin, place.id, BuildingCreate(name=name, floors=floors, sections=2))
            buildings.generate(
                db,
                admin,
                building.id,
                GenerateApartments(
                    units_per_floor=units,
                    numbering="floor",
                    rooms=2,
                    area=Decimal("58.5"),
                    price_per_m2=Decimal("9500000"),
                ),
            )
            _vary(db, building.id, rng)
            _draw(db, admin, building.id, units)
        update = ComplexUpdate(**details.model_dump(exclude={"slug", "is_public"}), is_public=True)
        complexes.update(db, admin, place.id, update)  # public once it has apartments
    with write_session(url) as db:
        count = db.scalar(select(func.count(Apartment.id)).join(Building).join(Complex).where(Complex.slug == SLUG))
        return {"apartments": count, "buildings": len(BUILDINGS)}


def _vary(db, building_id: int, rng: random.Random) -> None:
    """Rooms 1-4, areas by rooms, some booked, sold or not for sale."""
    for flat in db.scalars(select(Apartment).where(Apartment.building_id == building_id)):
        flat.rooms = rng.choice((1, 1, 2, 2, 2, 3, 3, 4))
        flat.area = Decimal(28 + flat.rooms * 18)
        flat.total_price = flat.area * flat.price_per_m2
        roll = rng.random()
        flat.status = (
            ApartmentStatus.SOLD
            if roll < 0.25
            else ApartmentStatus.BOOKED
            if roll < 0.35
            else ApartmentStatus.NOT_FOR_SALE
            if roll < 0.37
            else ApartmentStatus.FREE
        )
    db.flush()


def _draw(db, admin: User, building_id: int, units: int) -> None:
    """Draw the lowest floors: a row of two-square flats."""
    for floor in range(1, DRAWN_FLOORS + 1):
        flats = db.scalars(
            select(Apartment)
            .where(Apartment.building_id == building_id, Apartment.floor == floor)
            .order_by(Apartment.id)
        ).all()
        cells = [GridCell(x=i * 2, y=0, w=2, h=2, apartment_id=f.id) for i, f in enumerate(flats)]
        floor_grids.save(db, admin, building_id, floor, GridLayout(cols=units * 2, rows=2, cells=cells))


def bump(url: str) -> None:
    """Change the complex's inventory as an apartment edit would (a new version)."""
    with write_session(url) as db:
        complex_id = db.scalar(select(Complex.id).where(Complex.slug == SLUG))
        db.execute(
            update(Apartment)
            .where(
                Apartment.id
                == db.scalar(select(func.min(Apartment.id)).join(Building).where(Building.complex_id == complex_id))
            )
            .values(price_per_m2=Apartment.price_per_m2 + 1)
        )
        bump_inventory(db, [complex_id])


def get(client: httpx.Client, path: str, headers: dict, expect: int = 200) -> httpx.Response:
    """GET `path`; stop the benchmark on an unexpected status."""
    response = client.get(path, headers=headers)
    if response.status_code != expect:
        raise SystemExit(f"GET {path} answered {response.status_code}, expected {expect}: {response.text[:300]}")
    return response


def timed(client: httpx.Client, path: str, n: int, headers: dict, expect: int = 200) -> tuple[list[float], int]:
    """Warm up, then time up to `n` sequential requests; (seconds each, last response bytes)."""
    for _ in range(WARMUP):
        get(client, path, headers, expect)
    times: list[float] = []
    size, started = 0, time.perf_counter()
    while len(times) < n and time.perf_counter() - started < TIME_CAP:
        t0 = time.perf_counter()
        response = get(client, path, headers, expect)
        times.append(time.perf_counter() - t0)
        size = len(response.content)
    return times, size


VERSION_TTL = 0.5


def cold(client: httpx.Client, url: str, path: str, runs: int) -> tuple[list[float], int]:
    """Time the first request after each of `runs` inventory changes."""
    times, size = [], 0
    for _ in range(runs):
        bump(url)
        time.sleep(VERSION_TTL + 0.05)  # let the page's memo of the version expire (PUBLIC_VERSION_TTL_MS)
        t0 = time.perf_counter()
        response = get(client, path, {})
        times.append(time.perf_counter() - t0)
        size = len(response.content)
    return times, size


def sql_of(client: httpx.Client, counter: SqlCounter, path: str, headers: dict, expect: int) -> int:
    """Statements one request of `path` runs."""
    counter.reset()
    get(client, path, headers, expect)
    time.sleep(0.02)
    return counter.count


WRK_SECONDS = 10
WRK_CONNECTIONS = 8
WRK_THREADS = 2
ROOT = Path(__file__).resolve().parents[2]


def wrk(url: str, headers: dict[str, str] | None = None) -> float:
    """Requests per second wrk reaches on `url` (8 connections, 2 threads, WRK_SECONDS)."""
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{WRK_SECONDS}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match:
        raise SystemExit(f"wrk said: {out}")
    return float(match.group(1))


def spawn(kind: str, port: int, env: dict[str, str], *extra: str) -> subprocess.Popen:
    """One server process (tests.bench.serve_one), once it answers."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.serve_one", kind, str(port), *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://{HOST}:{port}/", timeout=2).status_code < 500:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"the {kind} server did not come up")


def free_port() -> int:
    """A free loopback port."""
    sock = server_socket(HOST, 0)
    port = sock.getsockname()[1]
    sock.close()
    return port


def main_wrk(rounds: int, slug: str = SLUG) -> None:
    """The outside run: the app and a bare Starlette app, one uvicorn process each, loaded by wrk."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    with tempfile.TemporaryDirectory(prefix="crm-bench-public-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        build_database(url)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DATA_DIR": tmp,
            "SECRET_KEY": "bench-secret-key-that-is-long-enough-for-hs256",
            "LOG_LEVEL": "WARNING",
            "BROKER_URL": "",
            "REDIS_URL": "",
        }
        app_port, bare_port = free_port(), free_port()
        site = spawn("app", app_port, env)
        try:
            page = f"http://{HOST}:{app_port}/c/{slug}"
            plain = httpx.get(page, timeout=30)
            gz = httpx.get(page, timeout=30, headers={"Accept-Encoding": "gzip"})
            body = Path(tmp) / "page.html"
            body.write_bytes(plain.content)
            bare = spawn("bare", bare_port, env, str(body))
            try:
                print(
                    f"warm page: {len(plain.content) / 1024:.1f} KB; with Accept-Encoding: gzip "
                    f"{int(gz.headers.get('content-length', len(gz.content))) / 1024:.1f} KB "
                    f"({gz.headers.get('content-encoding', 'identity')})"
                )
                print(
                    f"{'round':>5} {'bare /':>9} {'page':>9} {'page gz':>9} {'same bytes':>10} {'ratio':>6} {'gz':>6}"
                )
                ratios, gz_ratios = [], []
                for n in range(1, rounds + 1):
                    bare_rps = wrk(f"http://{HOST}:{bare_port}/")
                    page_rps = wrk(page)
                    page_gz = wrk(page, {"Accept-Encoding": "gzip"})
                    sized_rps = wrk(f"http://{HOST}:{bare_port}/sized")
                    ratios.append(page_rps / bare_rps)
                    gz_ratios.append(page_gz / bare_rps)
                    print(
                        f"{n:>5} {bare_rps:>9.0f} {page_rps:>9.0f} {page_gz:>9.0f} {sized_rps:>10.0f} "
                        f"{page_rps / bare_rps:>6.3f} {page_gz / bare_rps:>6.3f}"
                    )
                print(
                    f"median ratio warm page / bare: {statistics.median(ratios):.3f} plain, "
                    f"{statistics.median(gz_ratios):.3f} with Accept-Encoding: gzip (goal >= 0.5)"
                )
            finally:
                bare.terminate()
                bare.wait(timeout=10)
        finally:
            site.terminate()
            site.wait(timeout=10)


def main() -> None:
    """Build the data, serve both apps, measure, print the table (or, with --wrk, the outside run)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wrk", action="store_true", help="one process per app, loaded by wrk (8 connections)")
    parser.add_argument("--rounds", type=int, default=3, help="wrk rounds (each: bare, page, page gzip, same bytes)")
    parser.add_argument("--slug", default=SLUG, help="the complex loaded by wrk (e.g. bahor: a demo complex)")
    args = parser.parse_args()
    if args.wrk:
        main_wrk(args.rounds, args.slug)
        return
    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, uvicorn {uvicorn.__version__}, "
        f"httpx {httpx.__version__}"
    )
    with tempfile.TemporaryDirectory(prefix="crm-bench-public-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        started = time.perf_counter()
        sizes = build_database(url)
        print(
            f"data: one public complex of {sizes['apartments']} apartments in {sizes['buildings']} buildings "
            f"({DRAWN_FLOORS} floors of each drawn); built in {time.perf_counter() - started:.1f} s"
        )
        app = create_app(make_settings(url, Path(tmp)), check_schema=False)
        counter = SqlCounter(get_engine(url))
        bare_sock, app_sock = server_socket(HOST, 0), server_socket(HOST, 0)
        bare_app = Starlette(routes=[Route("/", bare_endpoint), Route("/sized", sized_endpoint)])
        servers = [serve(bare_app, bare_sock), serve(app, app_sock)]
        bare = httpx.Client(base_url=f"http://{HOST}:{bare_sock.getsockname()[1]}", timeout=60)
        site = httpx.Client(base_url=f"http://{HOST}:{app_sock.getsockname()[1]}", timeout=60)
        page, grid = f"/c/{SLUG}", f"/c/{SLUG}/grid"
        try:
            rows = [("bare starlette /", "/", *timed(bare, "/", 3000, {}), 0)]
            cold_sql = _cold_sql(site, url, counter, page)
            rows.append(("cold /c/<slug>", page, *cold(site, url, page, COLD_RUNS), cold_sql))
            rows.append(("warm /c/<slug>", page, *timed(site, page, 2000, {}), sql_of(site, counter, page, {}, 200)))
            SIZED["body"] = get(site, page, {}).content
            rows.append(("bare, same bytes", "/sized", *timed(bare, "/sized", 2000, {}), 0))
            filtered = f"{page}?rooms=2&only_free=1"
            rows.append(
                (
                    "warm filtered page",
                    filtered,
                    *timed(site, filtered, 2000, {}),
                    sql_of(site, counter, filtered, {}, 200),
                )
            )
            fragment = f"{grid}?rooms=2&only_free=1"
            rows.append(
                (
                    "warm grid fragment",
                    fragment,
                    *timed(site, fragment, 2000, HTMX),
                    sql_of(site, counter, fragment, HTMX, 200),
                )
            )
            etag = get(site, page, {}).headers["ETag"]
            revalidate = {"If-None-Match": etag}
            rows.append(
                (
                    "304 revalidation",
                    page,
                    *timed(site, page, 3000, revalidate, 304),
                    sql_of(site, counter, page, revalidate, 304),
                )
            )
            version = get(site, f"/api/public/complexes/{SLUG}/version", {}).json()["version"]
            poll = f"{grid}?since={version}"
            rows.append(
                (
                    "poll, unchanged 204",
                    poll,
                    *timed(site, poll, 3000, HTMX, 204),
                    sql_of(site, counter, poll, HTMX, 204),
                )
            )
            moved = f"{grid}?since={version - 1}"
            rows.append(
                (
                    "poll, moved (cached)",
                    moved,
                    *timed(site, moved, 1000, HTMX),
                    sql_of(site, counter, moved, HTMX, 200),
                )
            )
            api = f"/api/public/complexes/{SLUG}/apartments?page_size=2000"
            rows.append(("api apartments 2000", api, *timed(site, api, 100, {}), sql_of(site, counter, api, {}, 200)))
        finally:
            bare.close()
            site.close()
            for server, thread in servers:
                server.should_exit = True
                thread.join(timeout=15)
            get_engine(url).dispose()
    print_table(rows)


def _cold_sql(client: httpx.Client, url: str, counter: SqlCounter, path: str) -> int:
    bump(url)
    time.sleep(VERSION_TTL + 0.05)
    return sql_of(client, counter, path, {}, 200)


def print_table(rows: list) -> None:
    """The results, one row per measurement."""
    rps_of = {name: len(times) / sum(times) for name, _path, times, _size, _sql in rows}
    bare_rps = rps_of["bare starlette /"]
    print()
    print(f"{'row':<22} {'reqs':>5} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'ratio':>7} {'KB':>7} {'sql':>4}")
    for name, _path, times, size, statements in rows:
        rps = len(times) / sum(times)
        print(
            f"{name:<22} {len(times):>5} {statistics.median(times) * 1000:>8.2f} "
            f"{percentile(times, 95) * 1000:>8.2f} {rps:>8.1f} {rps / bare_rps:>7.3f} {size / 1024:>7.1f} "
            f"{statements:>4}"
        )
    print("\nratio = row req/s / bare Starlette req/s (goal for the warm page: >= 0.5); sql = statements one")
    print("request runs (BEGIN and COMMIT included); KB = response body. cold = first request after a change.")
    print(
        f"warm page against a bare endpoint answering the same bytes: "
        f"{rps_of['warm /c/<slug>'] / rps_of['bare, same bytes']:.3f}"
    )


if __name__ == "__main__":
    main()

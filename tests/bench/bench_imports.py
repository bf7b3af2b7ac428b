"""Benchmark of imports: preview and apply of a 100,000-row file of apartments and of leads, as CSV
and as XLSX, on SQLite or PostgreSQL.

Run from the repository root:
    python -m tests.bench.bench_imports [rows] [--formats csv,xlsx] [--db sqlite|postgresql] [--pg-url URL]
        [--on-shift N]
For each format it builds a throw-away database with one complex (PostgreSQL: the database at
--pg-url is emptied), writes the files, and times the preview (a rolled-back run), the apply, and
the same file again (all unchanged). It prints rows per second (the whole run: reading, deciding,
writing, the per-row outcomes) and their ratio to the requests per second of a bare Starlette
endpoint timed first in the same run (so figures from a slower machine compare). Not a test.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import tempfile
import time
from pathlib import Path

from app.auth.models import User
from app.auth.permissions import Role
from app.db import write_session
from app.domain.distribution.crud import distribution
from app.domain.distribution.models import DistributionMode
from app.domain.imports.crud import imports
from app.domain.imports.models import ImportKind
from app.domain.imports.readers import FileUpload
from app.domain.inventory.models import Building, Complex
from app.domain.staff.attendance import attendance
from app.migrations import upgrade
from tests.bench.bench_leads import DEFAULT_PG_URL, reset_postgres
from tests.bench.bench_pages import bare_rate
from tests.factories import make_user


def apartments_csv(rows: int) -> bytes:
    """A price list: building B1..B(n) of 100 floors x 10 apartments each."""
    out = io.StringIO()
    out.write("ЖК;Блок;Номер;Этаж;Комнаты;Площадь;Цена за м²\n")
    for i in range(rows):
        building, rest = divmod(i, 1000)
        floor, unit = divmod(rest, 10)
        out.write(f"Bench;B{building};{floor + 1}{unit:02d};{floor + 1};2 к.;62,5;1 250 000 сум\n")
    return out.getvalue().encode()


def leads_csv(rows: int, complex_name: str = "") -> bytes:
    """A lead list with distinct Uzbek mobile numbers; with `complex_name`, every third lead asks
    for that complex (a ЖК column)."""
    out = io.StringIO()
    out.write("Телефон;ФИО;ЖК\n" if complex_name else "Телефон;ФИО\n")
    for i in range(rows):
        out.write(f"+998 90 {i // 10000:03d}-{(i // 100) % 100:02d}-{i % 100:02d};Клиент {i}")
        out.write((f";{complex_name}\n" if i % 3 == 0 else ";\n") if complex_name else "\n")
    return out.getvalue().encode()


def timed(label: str, rows: int, db, admin: User, import_id: int, folder: Path, bare: float) -> None:
    """Run the import and print its rows per second, and their ratio to the bare endpoint's requests per second."""
    started = time.perf_counter()
    job = imports.run(db, admin, import_id, folder)
    elapsed = time.perf_counter() - started
    rate = rows / elapsed
    print(f"{label:<34} {rows:>8} rows {elapsed:6.2f} s {rate:>10,.0f} rows/s  ratio {rate / bare:5.2f}  {job.counts}")


def as_xlsx(content: bytes) -> bytes:
    """The same table as an XLSX workbook (one sheet, values)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for line in content.decode().splitlines():
        sheet.append(line.split(";"))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def fresh_database(url: str, rows: int, on_shift: int = 0) -> None:
    """Migrate the database and give it an admin, one complex and its buildings; with `on_shift`,
    automatic distribution and that many salespeople on shift (new leads are given out in turn)."""
    upgrade(url)
    with write_session(url) as db:
        if on_shift:
            distribution.settings(db).mode = DistributionMode.AUTO
            for _ in range(on_shift):
                attendance.check_in(db, make_user(db, Role.SALES))
        admin = User(username="bench-admin", role=Role.ADMIN, password_hash="-", full_name="Bench")
        complex_ = Complex(name="Bench", slug="bench")
        db.add_all([admin, complex_])
        db.flush()
        db.add_all(Building(complex_id=complex_.id, name=f"B{b}", floors=100) for b in range(rows // 1000 + 1))


def run_format(url: str, folder: Path, rows: int, fmt: str, bare: float) -> None:
    """Time each kind's preview and apply, then the same file again, in one format."""
    files = {ImportKind.APARTMENTS: apartments_csv(rows), ImportKind.LEADS: leads_csv(rows)}
    for kind, content in files.items():
        data = as_xlsx(content) if fmt == "xlsx" else content
        for attempt in ("first", "again"):
            with write_session(url) as db:
                admin = db.query(User).filter_by(username="bench-admin").one()
                upload = FileUpload(io.BytesIO(data), f"{kind}.{fmt}")
                job = imports.create(db, admin, kind, upload, folder, 200 << 20, 10**6)
                imports.begin(db, admin, job.id, apply=False, data_dir=folder)
                timed(f"{fmt} {kind} preview ({attempt})", rows, db, admin, job.id, folder, bare)
            with write_session(url) as db:
                admin = db.query(User).filter_by(username="bench-admin").one()
                imports.begin(db, admin, job.id, apply=True, data_dir=folder)
                timed(f"{fmt} {kind} apply ({attempt})", rows, db, admin, job.id, folder, bare)


def main() -> None:
    """Build a database per format and time each run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="your own PostgreSQL database (it is emptied)")
    parser.add_argument("--on-shift", type=int, default=0, help="salespeople on shift to give new leads to")
    args = parser.parse_args()
    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, {args.db}, {args.rows:,} rows per file,",
        f"{args.on_shift} salespeople on shift",
    )
    bare = bare_rate()
    print(f"bare starlette endpoint: {bare:,.0f} req/s (ratio = import rows/s per bare request/s)")
    for fmt in args.formats.split(","):
        folder = Path(tempfile.mkdtemp(prefix="bench-imports-"))
        url = f"sqlite:///{folder / 'bench.db'}"
        if args.db == "postgresql":
            url = args.pg_url
            reset_postgres(url)
        fresh_database(url, args.rows, args.on_shift)
        run_format(url, folder, args.rows, fmt, bare)


if __name__ == "__main__":
    main()

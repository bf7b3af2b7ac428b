"""Benchmark of imports: preview and apply of a 100,000-row CSV of apartments and of leads.

Run from the repository root:  python -m tests.bench.bench_imports [rows]   (SQLite; set
BENCH_DATABASE_URL to a PostgreSQL URL to time that instead). It builds a throw-away database
with one complex, writes the CSV files, and times the preview (a rolled-back run), the apply,
and a second apply of the same file (all unchanged). It prints rows per second. Not a test.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from pathlib import Path

from app.auth.models import User
from app.auth.permissions import Role
from app.db import write_session
from app.domain.imports.crud import imports
from app.domain.imports.models import ImportKind
from app.domain.imports.readers import FileUpload
from app.domain.inventory.models import Building, Complex
from app.migrations import upgrade


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


def timed(label: str, rows: int, db, admin: User, import_id: int, folder: Path) -> None:
    """Run the import and print its rows per second."""
    started = time.perf_counter()
    job = imports.run(db, admin, import_id, folder)
    elapsed = time.perf_counter() - started
    print(f"{label:<34} {rows:>8} rows {elapsed:6.2f} s {rows / elapsed:>10,.0f} rows/s  {job.counts}")


def main() -> None:
    """Build the database and time each run."""
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    folder = Path(tempfile.mkdtemp(prefix="bench-imports-"))
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder / 'bench.db'}"
    upgrade(url)
    with write_session(url) as db:
        admin = User(username="bench-admin", role=Role.ADMIN, password_hash="-", full_name="Bench")
        complex_ = Complex(name="Bench", slug="bench")
        db.add_all([admin, complex_])
        db.flush()
        db.add_all(Building(complex_id=complex_.id, name=f"B{b}", floors=100) for b in range(rows // 1000 + 1))
    for kind, content in ((ImportKind.APARTMENTS, apartments_csv(rows)), (ImportKind.LEADS, leads_csv(rows))):
        for attempt in ("first", "again"):
            with write_session(url) as db:
                admin = db.query(User).filter_by(username="bench-admin").one()
                job = imports.create(
                    db, admin, kind, FileUpload(io.BytesIO(content), f"{kind}.csv"), folder, 200 << 20, 10**6
                )
                imports.begin(db, admin, job.id, apply=False, data_dir=folder)
                timed(f"{kind} preview ({attempt})", rows, db, admin, job.id, folder)
            with write_session(url) as db:
                admin = db.query(User).filter_by(username="bench-admin").one()
                imports.begin(db, admin, job.id, apply=True, data_dir=folder)
                timed(f"{kind} apply ({attempt})", rows, db, admin, job.id, folder)


if __name__ == "__main__":
    main()

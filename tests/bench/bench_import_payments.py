"""Benchmark of payments imports: preview, apply, the same file again, and its undo.

Run from the repository root:  python -m tests.bench.bench_import_payments [rows] [contracts]
(SQLite; BENCH_DATABASE_URL for PostgreSQL). It builds a throw-away database with signed
contracts, writes a CSV of payments spread over them, and prints rows per second and their ratio
to the requests per second of a bare Starlette endpoint timed in the same run. Not a test.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from app.auth.models import User
from app.auth.permissions import Role
from app.db import write_session
from app.domain.imports.crud import imports
from app.domain.imports.models import ImportKind
from app.domain.imports.readers import FileUpload
from app.migrations import upgrade
from tests.bench.bench_pages import bare_rate
from tests.factories import make_contract, make_user


def payments_csv(numbers: list[str], rows: int) -> bytes:
    """Payments of 10 each, a day apart, spread over the contracts."""
    out = io.StringIO()
    out.write("Номер договора;Дата;Сумма;Способ оплаты\n")
    start = date(2026, 1, 10)
    for i in range(rows):
        day = start + timedelta(days=i // len(numbers))
        out.write(f"{numbers[i % len(numbers)]};{day:%d.%m.%Y};10;наличные\n")
    return out.getvalue().encode()


def main() -> None:
    """Build the database and time each run."""
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    folder = Path(tempfile.mkdtemp(prefix="bench-payments-"))
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder / 'bench.db'}"
    upgrade(url)
    with write_session(url) as db:
        make_user(db, Role.ADMIN, username="bench-admin")
        numbers = [make_contract(db, price_per_m2="1000", months=12).number for _ in range(count)]
    content = payments_csv(numbers, rows)
    bare = bare_rate()
    print(f"bare starlette endpoint: {bare:,.0f} req/s (ratio = import rows/s per bare request/s)")
    for attempt in ("first", "again"):
        with write_session(url) as db:
            admin = db.query(User).filter_by(username="bench-admin").one()
            job = imports.create(
                db, admin, ImportKind.PAYMENTS, FileUpload(io.BytesIO(content), "p.csv"), folder, 1 << 30, 10**6
            )
            imports.begin(db, admin, job.id, apply=False, data_dir=folder)
            import_id = job.id
        for label, apply in (("preview", False), ("apply", True)):
            with write_session(url) as db:
                admin = db.query(User).filter_by(username="bench-admin").one()
                if apply:
                    imports.begin(db, admin, import_id, apply=True, data_dir=folder)
                started = time.perf_counter()
                job = imports.run(db, admin, import_id, folder)
                elapsed = time.perf_counter() - started
            print(
                f"payments {label} ({attempt}) {rows:>7} rows {elapsed:6.2f} s",
                f"{rows / elapsed:>8,.0f} rows/s ratio {rows / elapsed / bare:5.2f} {job.counts}",
            )
        if attempt == "first":
            first_id = import_id
    with write_session(url) as db:
        admin = db.query(User).filter_by(username="bench-admin").one()
        started = time.perf_counter()
        imports.undo(db, admin, first_id)
        elapsed = time.perf_counter() - started
    print(
        f"payments undo            {rows:>7} rows {elapsed:6.2f} s {rows / elapsed:>8,.0f} rows/s",
        f"ratio {rows / elapsed / bare:5.2f}",
    )


if __name__ == "__main__":
    main()

"""Database backup: SQLite through the online backup API, PostgreSQL through pg_dump."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from celery import shared_task
from sqlalchemy.engine import make_url

from app.core import clock
from settings import Settings
from settings import settings as default_settings


class BackupError(RuntimeError):
    """The backup could not be made; the message says why."""


def _stamp() -> str:
    return clock.now().strftime("%Y%m%dT%H%M%S%fZ")


def _backup_sqlite(database: str, target: Path) -> None:
    source = sqlite3.connect(database)
    try:
        dest = sqlite3.connect(target)
        with dest:
            source.backup(dest)
        dest.close()
    finally:
        source.close()


def _backup_postgres(url: str, target: Path) -> None:
    pg_dump = shutil.which("pg_dump")
    if not pg_dump:
        raise BackupError("pg_dump is not installed; install the PostgreSQL client to back up PostgreSQL")
    parsed = make_url(url).set(drivername="postgresql")
    dsn = parsed.render_as_string(hide_password=False)
    argv = [pg_dump, "--format=custom", "--file", str(target), dsn]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=3600)  # noqa: S603 - no shell
    if result.returncode != 0:
        target.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {result.stderr.strip()[:500]}")


def rotate(folder: Path, pattern: str, keep: int) -> list[Path]:
    """Delete all but the newest `keep` files matching `pattern`; returns the deleted."""
    files = sorted(folder.glob(pattern), key=lambda p: p.name, reverse=True)
    doomed = files[keep:]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def run_backup(config: Settings | None = None) -> Path:
    """Write one backup file into the backups folder and rotate old ones."""
    config = config or default_settings
    folder = Path(config.backup_dir)
    folder.mkdir(parents=True, exist_ok=True)
    url = make_url(config.database_url)
    if url.get_backend_name() == "sqlite":
        target = folder / f"crm-{_stamp()}.sqlite3"
        _backup_sqlite(url.database, target)
        rotate(folder, "crm-*.sqlite3", config.backup_keep)
    elif url.get_backend_name() == "postgresql":
        target = folder / f"crm-{_stamp()}.pgdump"
        _backup_postgres(config.database_url, target)
        rotate(folder, "crm-*.pgdump", config.backup_keep)
    else:
        raise BackupError(f"backups of {url.get_backend_name()} databases are not supported")
    return target


@shared_task(name="tasks.backup.backup_database")
def backup_database() -> str:
    """Celery job: back up the database; returns the file's path."""
    return str(run_backup())

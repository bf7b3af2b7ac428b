"""Database backup: SQLite through the online backup API, PostgreSQL through pg_dump; and
restoring a SQLite backup (PostgreSQL dumps are restored with pg_restore, see the README)."""

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


SQLITE_HEADER = b"SQLite format 3\x00"
APP_TABLES = frozenset({"alembic_version", "users", "audit_log"})  # there since the first revision


class RestoreError(BackupError):
    """The backup cannot be restored; the message says why and nothing was changed."""


def _readonly(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def check_sqlite_backup(path: Path, database_url: str) -> str:
    """The schema revision of a SQLite backup of this app; RestoreError when it is not one."""
    from app.migrations import ahead_message, head_revision, known_revisions

    if not path.is_file():
        raise RestoreError(f"{path} does not exist or is not a file.")
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise RestoreError(f"{path} is not a SQLite database.")
    try:
        conn = _readonly(path)
        try:
            check = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            revisions = (
                {row[0] for row in conn.execute("SELECT version_num FROM alembic_version")}
                if "alembic_version" in tables
                else set()
            )
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise RestoreError(f"{path} is not a readable SQLite database: {exc}.") from exc
    if check != "ok":
        raise RestoreError(f"{path} is damaged (integrity check: {check}).")
    if APP_TABLES - tables or len(revisions) != 1:
        raise RestoreError(f"{path} is a SQLite database, but not a backup of this CRM.")
    known = known_revisions(database_url)
    if not revisions <= known:
        raise RestoreError(ahead_message(revisions, head_revision(database_url), where="The backup"))
    return next(iter(revisions))


def _copy_sqlite(source: sqlite3.Connection, target: Path) -> None:
    dest = sqlite3.connect(target)
    try:
        with dest:
            source.backup(dest)
    finally:
        dest.close()


def restore_sqlite(config: Settings, backup: Path) -> Path | None:
    """Copy a SQLite backup back over the live database, keeping the current one as a safety copy.

    Stop-the-world: the app, worker, beat and bot must be stopped; the live database is locked
    exclusively for the copy (refused when something still writes to it), and the copy goes
    through SQLite's backup API so it is whole or not at all. Returns the safety copy's path
    (None when there was no database yet).
    """
    url = make_url(config.database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise RestoreError("restore copies back SQLite backups; restore a PostgreSQL dump with pg_restore.")
    live, backup = Path(url.database), Path(backup)
    check_sqlite_backup(backup, config.database_url)
    if live.exists() and live.resolve() == backup.resolve():
        raise RestoreError(f"{backup} is the live database itself.")
    safety = None
    live.parent.mkdir(parents=True, exist_ok=True)
    target = sqlite3.connect(live, timeout=5, isolation_level=None)
    try:
        try:
            target.execute("BEGIN EXCLUSIVE")
            target.execute("ROLLBACK")
        except sqlite3.OperationalError as exc:
            raise RestoreError(
                "The database is in use: stop the app, the worker, beat and the bot, then restore again."
            ) from exc
        if live.stat().st_size > 0:
            folder = Path(config.backup_dir)
            folder.mkdir(parents=True, exist_ok=True)
            safety = folder / f"pre-restore-{_stamp()}.sqlite3"
            _copy_sqlite(target, safety)
        source = _readonly(backup)
        try:
            source.backup(target)
        finally:
            source.close()
    except sqlite3.DatabaseError as exc:
        raise RestoreError(f"The restore failed and the database was left as it was: {exc}.") from exc
    finally:
        target.close()
    return safety


@shared_task(name="tasks.backup.backup_database")
def backup_database() -> str:
    """Celery job: back up the database; returns the file's path."""
    return str(run_backup())

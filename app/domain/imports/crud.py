"""Imports for admins: upload, read options and mapping, preview (a rolled-back run), apply
(all or nothing), cancel, the per-row outcomes and the error report.

The preview and the apply run the same code (engine.run). The preview runs inside a savepoint
that is rolled back, then records what each row would do; the apply runs inside a savepoint that
is released only when every chunk went through, so a failure leaves no partial data. Progress is
written to a small file beside the upload (DATA_DIR/imports/<id>.progress), so any process can
read it while a long transaction holds the database.
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import delete, event, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.permissions import P, can
from app.core import clock
from app.core.errors import AppError, Conflict, Forbidden, Invalid, NotFound
from app.core.paging import Page, paginate
from app.domain.audit.crud import audit
from app.domain.imports import engine, undo
from app.domain.imports.mapping import check_mapping, missing_required, suggest
from app.domain.imports.models import ImportJob, ImportKind, ImportMapping, ImportRow, ImportStatus, Outcome
from app.domain.imports.payments import PaymentImport
from app.domain.imports.readers import (
    FileUpload,
    Table,
    count_xlsx_rows,
    imports_dir,
    open_table,
    sniff_csv,
    store_upload,
)
from app.domain.imports.schemas import ImportOptions, MappingWrite, RowFilter
from app.domain.imports.sheets import SheetRef, SheetsAccess, store_snapshot

RUNNING = (ImportStatus.PREVIEWING, ImportStatus.APPLYING)
PROCESSORS: dict[ImportKind, type] = {**engine.PROCESSORS, ImportKind.PAYMENTS: PaymentImport}
ROW_BATCH = 5000


class _Rollback(Exception):
    """Raised inside the preview's savepoint to undo everything it wrote."""


class _Stopped(Exception):
    """Raised between chunks when the admin cancelled the running import."""


def _may_import(actor: User) -> None:
    if not can(actor, P.IMPORTS_RUN):
        raise Forbidden("You cannot run imports.")


def source_of(filename: str) -> str:
    """The source a file stands for (its name without the extension), whose mapping is reused."""
    return Path(filename or "file").stem.strip().lower()[:200] or "file"


class ImportCRUD:
    """Imports of apartments and leads from files, for admins."""

    # ---- reading ------------------------------------------------------------------------------

    def get(self, db: Session, actor: User, import_id: int) -> ImportJob:
        """An import, or NotFound."""
        _may_import(actor)
        job = db.get(ImportJob, import_id)
        if job is None:
            raise NotFound("Import not found.")
        return job

    def recent(self, db: Session, actor: User, limit: int = 20) -> list[ImportJob]:
        """The latest imports, newest first."""
        _may_import(actor)
        return list(db.scalars(select(ImportJob).order_by(ImportJob.id.desc()).limit(limit)))

    def rows(self, db: Session, actor: User, import_id: int, f: RowFilter) -> Page[ImportRow]:
        """One page of the rows' outcomes of the latest run, in file order."""
        self.get(db, actor, import_id)
        q = select(ImportRow).where(ImportRow.import_id == import_id)
        if f.outcome is not None:
            q = q.where(ImportRow.outcome == f.outcome)
        return paginate(db, q.order_by(ImportRow.line), f.page, f.page_size)

    def rejected(self, db: Session, actor: User, import_id: int) -> tuple[ImportJob, Iterator[ImportRow]]:
        """The import and its rejected rows in file order (for the error report)."""
        job = self.get(db, actor, import_id)
        q = (
            select(ImportRow)
            .where(ImportRow.import_id == import_id, ImportRow.outcome == Outcome.REJECT)
            .order_by(ImportRow.line)
            .execution_options(yield_per=1000)
        )
        return job, iter(db.scalars(q))

    def status(self, job: ImportJob, data_dir: Path) -> dict[str, Any]:
        """The import as the API answers it: with rows done, speed and time left while it runs."""
        info: dict[str, Any] = {
            "suggested": suggest(job.kind, job.headers) if job.headers else {},
            "rows_done": job.total_rows if job.status in (ImportStatus.PREVIEW, ImportStatus.DONE) else 0,
        }
        if job.status in RUNNING:
            info["stopping"] = self.stopping(job, data_dir)
            info["rows_per_second"] = info["seconds_left"] = None  # until the first chunk is done
            state = _read_progress(data_dir, job.id)
            done, total, started = state.get("done", 0), state.get("total", 0), state.get("started")
            info["rows_done"] = done
            info["progress"] = min(0.99, done / total) if total else 0.0
            if started and done:
                elapsed = max(time.time() - started, 1e-6)
                info["rows_per_second"] = round(done / elapsed, 1)
                info["seconds_left"] = round(max(total - done, 0) / (done / elapsed), 1) if total else None
        return info

    # ---- writing ------------------------------------------------------------------------------

    def create(
        self,
        db: Session,
        actor: User,
        kind: ImportKind,
        upload: FileUpload,
        data_dir: Path,
        max_bytes: int,
        max_rows: int,
    ) -> ImportJob:
        """Keep the uploaded file, sniff how to read it, and pick the mapping (the source's saved one, else
        a suggestion from the headers); the import waits for its preview."""
        _may_import(actor)
        name = store_upload(upload, data_dir, max_bytes)
        job = ImportJob(
            kind=kind,
            source=source_of(upload.filename),
            filename=(upload.filename or "")[:300],
            path=name,
            created_by_id=actor.id,
        )
        return self._prepare(db, job, data_dir, max_rows)

    def create_from_sheet(
        self,
        db: Session,
        actor: User,
        kind: ImportKind,
        ref: SheetRef,
        sheets: SheetsAccess,
        data_dir: Path,
        max_rows: int,
    ) -> ImportJob:
        """Read a Google Sheet's tab now (retrying when Google asks to wait) and keep its values, so the
        preview and the apply read the same data; the mapping saved for this sheet and tab is reused."""
        _may_import(actor)
        rows = sheets.fetch(ref)
        name = store_snapshot(rows, imports_dir(data_dir))
        job = ImportJob(
            kind=kind,
            source=ref.source,
            filename=f"Google Sheets: {ref.tab}"[:300],
            path=name,
            sheet=ref.tab,
            created_by_id=actor.id,
        )
        return self._prepare(db, job, data_dir, max_rows)

    def _prepare(self, db: Session, job: ImportJob, data_dir: Path, max_rows: int) -> ImportJob:
        """Read the kept file's headers and size and choose its mapping; the file is removed on a refusal."""
        path = imports_dir(data_dir) / job.path
        try:
            if path.suffix == ".csv":
                job.encoding, job.delimiter = sniff_csv(path)
            table = open_table(path, job.encoding, job.delimiter)
            job.headers = [h[:200] for h in table.headers]
            _close(table)
            job.total_rows = _count_rows(path, max_rows)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        if not any(job.headers):
            path.unlink(missing_ok=True)
            raise Invalid("The file has no header row.", field="file")
        kind = job.kind
        saved = db.scalar(select(ImportMapping).where(ImportMapping.kind == kind, ImportMapping.source == job.source))
        job.mapping = check_mapping(kind, saved.mapping if saved else suggest(kind, job.headers), job.headers)
        db.add(job)
        db.flush()
        return job

    def configure(self, db: Session, actor: User, import_id: int, options: ImportOptions, data_dir: Path) -> ImportJob:
        """Change how the file is read and mapped (saved for the source), before it is applied; it is
        previewed again."""
        job = self.get(db, actor, import_id)
        if job.status not in (ImportStatus.QUEUED, ImportStatus.PREVIEW, ImportStatus.FAILED):
            raise Conflict("This import can no longer be changed.")
        if job.path.endswith(".xlsx"):
            job.sheet = options.sheet
        elif job.path.endswith(".csv"):
            job.encoding = options.encoding or job.encoding
            job.delimiter = options.delimiter or job.delimiter
        table = open_table(self.file(job, data_dir), job.encoding, job.delimiter, job.sheet)
        job.headers = [h[:200] for h in table.headers]
        _close(table)
        unknown = [h for h in options.mapping.values() if h and h not in job.headers]
        if unknown:
            raise Invalid("The file has no column %(column)s.", field="mapping", column=unknown[0])
        job.mapping = check_mapping(job.kind, options.mapping, job.headers)
        job.create_buildings = options.create_buildings
        job.status = ImportStatus.QUEUED
        self._save_mapping(db, job.kind, job.source, job.mapping)
        db.flush()
        return job

    def save_mapping(self, db: Session, actor: User, source: str, data: MappingWrite) -> ImportMapping:
        """Save the mapping of a source for its next imports."""
        _may_import(actor)
        clean = {f: h[:200] for f, h in data.mapping.items() if h}
        check = check_mapping(data.kind, clean, list(clean.values()))
        if len(check) != len(clean):
            raise Invalid("Unknown field in the mapping.", field="mapping")
        return self._save_mapping(db, data.kind, source.strip().lower()[:200], clean)

    def _save_mapping(self, db: Session, kind: ImportKind, source: str, mapping: dict[str, str]) -> ImportMapping:
        row = db.scalar(select(ImportMapping).where(ImportMapping.kind == kind, ImportMapping.source == source))
        if row is None:
            row = ImportMapping(kind=kind, source=source)
            db.add(row)
        row.mapping = dict(mapping)
        db.flush()
        return row

    def begin(self, db: Session, actor: User, import_id: int, apply: bool, data_dir: Path) -> ImportJob:
        """Mark an import as about to be previewed or applied (Conflict when its state does not allow it)."""
        job = self.get(db, actor, import_id)
        if apply:
            if job.status == ImportStatus.DONE:
                raise Conflict("This import has already been applied.")
            if job.status != ImportStatus.PREVIEW:
                raise Conflict("Apply an import after its preview.")
            missing = missing_required(job.kind, job.mapping)
            if missing:
                raise Invalid("Choose the column of every required field.", field="mapping")
            job.status = ImportStatus.APPLYING
        else:
            if job.status not in (ImportStatus.QUEUED, ImportStatus.PREVIEW, ImportStatus.FAILED):
                raise Conflict("This import can no longer be changed.")
            job.status = ImportStatus.PREVIEWING
        job.progress, job.error = 0.0, ""
        _remove_run_files(data_dir, job.id)  # a stop or progress left by an earlier run
        db.flush()
        return job

    def cancel(self, db: Session, actor: User, import_id: int, data_dir: Path) -> ImportJob:
        """Stop an import that has not been applied. One that is being previewed or applied is asked
        to stop (a flag file the run looks at after each chunk; its transaction is then rolled back, so
        nothing of it stays) and is "cancelled" once it has stopped; any other is cancelled at once."""
        job = self.get(db, actor, import_id)
        if job.status in (ImportStatus.DONE, ImportStatus.CANCELLED, ImportStatus.UNDONE):
            raise Conflict("This import is finished.")
        if job.status in RUNNING:
            _stop_file(data_dir, job.id).touch()
            return job
        job.status = ImportStatus.CANCELLED
        job.finished_at = clock.now()
        db.flush()
        return job

    @staticmethod
    def stopping(job: ImportJob, data_dir: Path) -> bool:
        """Whether the running import was asked to stop and has not stopped yet."""
        return job.status in RUNNING and _stop_file(data_dir, job.id).exists()

    def undo(self, db: Session, actor: User, import_id: int) -> ImportJob:
        """Undo an applied import while nothing it touched has changed since (UndoRefused listing the
        rows otherwise): all or nothing, audited; the import is then "undone"."""
        job = self.get(db, actor, import_id)
        db.refresh(job, with_for_update=True)  # two undos at once: the second waits, then finds it undone
        if job.status == ImportStatus.UNDONE:
            raise Conflict("This import has already been undone.")
        if job.status != ImportStatus.DONE:
            raise Conflict("Only an applied import can be undone.")
        rows, last_entry = undo.touched(db, job)
        state = undo.check(db, rows, last_entry)
        try:
            with db.begin_nested():
                counts = undo.revert(db, actor, job, rows, state)
        except IntegrityError as exc:
            raise Conflict("The import cannot be undone: a row it created is in use.") from exc
        job.status = ImportStatus.UNDONE
        job.finished_at = clock.now()
        audit.record(db, actor, "import", job.id, "undo", {"status": "done"}, {"status": "undone", **counts})
        db.flush()
        return job

    def run(self, db: Session, actor: User, import_id: int, data_dir: Path) -> ImportJob:
        """Preview (status previewing) or apply (status applying) an import: the same pass over the
        file; a preview's writes are rolled back, an apply's kept only when every row went through."""
        try:
            return self._run(db, actor, import_id, data_dir)
        finally:
            gc.unfreeze()  # hand the run's survivors back to the garbage collector

    def _run(self, db: Session, actor: User, import_id: int, data_dir: Path) -> ImportJob:
        job = self.get(db, actor, import_id)
        if job.status in RUNNING:
            # a second delivery of the same job waits here for the first to commit, then finds it
            # finished instead of failing it (PostgreSQL; SQLite's BEGIN IMMEDIATE serialises them)
            db.refresh(job, with_for_update=True)
        if job.status not in RUNNING:
            return job  # redelivered after it finished, or cancelled meanwhile
        applying = job.status == ImportStatus.APPLYING
        missing = missing_required(job.kind, job.mapping)
        if missing:
            return self._fail(db, job, "Choose the column of every required field.")
        started = time.time()
        total = job.total_rows

        def progress(done: int) -> None:
            # what lives now (the application's modules and schemas, the run's state) lives to the
            # end: the collector's full passes need not walk it again (they took a third of a run)
            gc.freeze()
            if _stop_file(data_dir, import_id).exists():
                raise _Stopped
            _write_progress(data_dir, job.id, done, total, started)

        outcome: engine.Run | None = None
        try:
            savepoint = db.begin_nested()
            try:
                progress(0)
                table = open_table(self.file(job, data_dir), job.encoding, job.delimiter, job.sheet)
                outcome = engine.run(db, actor, job, table.headers, table.rows, progress, PROCESSORS)
                if not applying:
                    raise _Rollback
                savepoint.commit()
            except BaseException:
                savepoint.rollback()
                raise
        except _Rollback:
            pass
        except _Stopped:
            db.expire_all()
            job = db.get(ImportJob, import_id)
            job.status, job.progress, job.finished_at = ImportStatus.CANCELLED, 0.0, clock.now()
            db.flush()
            return job
        except AppError as exc:
            db.expire_all()
            return self._fail(db, db.get(ImportJob, import_id), exc.message)
        except SQLAlchemyError:
            db.expire_all()
            return self._fail(db, db.get(ImportJob, import_id), "The database refused a row: nothing was imported.")
        finally:
            # until the run's transaction commits, others still read "previewing"/"applying" and its progress
            event.listen(db, "after_commit", lambda _session: _remove_run_files(data_dir, import_id), once=True)
        db.expire_all()
        job = db.get(ImportJob, import_id)
        self._record(db, job, outcome)
        job.status = ImportStatus.DONE if applying else ImportStatus.PREVIEW
        job.progress = 1.0
        job.finished_at = clock.now() if applying else None
        db.flush()
        return job

    def _record(self, db: Session, job: ImportJob, outcome: engine.Run) -> None:
        """Replace the import's row outcomes by this run's (bulk inserts)."""
        db.execute(delete(ImportRow).where(ImportRow.import_id == job.id))
        batch: list[dict] = []
        for r in outcome.results():
            batch.append(
                {
                    "import_id": job.id,
                    "line": r.line,
                    "outcome": r.outcome,
                    "key": r.key[:300],
                    "field": r.field,
                    "reason": r.reason,
                    "changes": r.changes,
                    "values": r.values,
                }
            )
            if len(batch) >= ROW_BATCH:
                engine.insert_rows(db, ImportRow, batch)
                batch = []
        if batch:
            engine.insert_rows(db, ImportRow, batch)
        job.counts = outcome.counts
        job.total_rows = outcome.total

    def _fail(self, db: Session, job: ImportJob, message: str) -> ImportJob:
        job.status = ImportStatus.FAILED
        job.error = message[:1000]
        job.finished_at = clock.now()
        db.flush()
        return job

    @staticmethod
    def file(job: ImportJob, data_dir: Path) -> Path:
        """Where the import's file is kept."""
        path = imports_dir(data_dir) / job.path
        if not path.is_file():
            raise Invalid("The uploaded file is gone: upload it again.", field="file")
        return path


def _close(table: Table) -> None:
    close = getattr(table.rows, "close", None)
    if close is not None:
        close()


def _count_rows(path: Path, max_rows: int) -> int:
    """How many data rows the file has (at most `max_rows`; Invalid beyond)."""
    if path.suffix == ".xlsx":
        count = count_xlsx_rows(path, max_rows)
    else:
        with path.open("rb") as f:
            count = max(0, sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b"")) - 1)
            f.seek(-1, 2)
            if f.read(1) != b"\n":
                count += 1
    if count > max_rows:
        raise Invalid("The file has more than %(rows)s rows.", field="file", rows=max_rows)
    return count


def _progress_file(data_dir: Path, import_id: int) -> Path:
    return imports_dir(data_dir) / f"{import_id}.progress"


def _stop_file(data_dir: Path, import_id: int) -> Path:
    """The flag a cancel leaves for the running import (a file: the run's transaction may hold the
    database's write lock)."""
    return imports_dir(data_dir) / f"{import_id}.stop"


def _remove_run_files(data_dir: Path, import_id: int) -> None:
    """Remove the progress and stop files of an import's run."""
    _progress_file(data_dir, import_id).unlink(missing_ok=True)
    _stop_file(data_dir, import_id).unlink(missing_ok=True)


def _write_progress(data_dir: Path, import_id: int, done: int, total: int, started: float) -> None:
    target = _progress_file(data_dir, import_id)
    scratch = target.with_suffix(".tmp")
    scratch.write_text(json.dumps({"done": done, "total": total, "started": started}))
    scratch.replace(target)


def _read_progress(data_dir: Path, import_id: int) -> dict[str, Any]:
    try:
        return json.loads(_progress_file(data_dir, import_id).read_text())
    except (OSError, ValueError):
        return {}


imports = ImportCRUD()

"""What both twins of the imports share: the upload, where files live, the error report, the status."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from app.auth.deps import get_settings
from app.auth.models import User
from app.core.errors import Invalid
from app.domain.imports.crud import imports
from app.domain.imports.mapping import FIELDS
from app.domain.imports.models import ImportJob, ImportKind
from app.domain.imports.readers import FileUpload
from app.domain.imports.sheets import SheetsAccess, parse_ref
from app.web.export import export_response
from app.web.forms import read_form
from app.web.i18n import gettext
from tasks.imports import start


def upload_of(value: object) -> FileUpload:
    """The chosen file of the multipart field `file`; Invalid naming `file` when none was chosen."""
    if isinstance(value, UploadFile) and value.filename:
        return FileUpload(value.file, value.filename)
    raise Invalid("Choose a CSV or XLSX file.", field="file")


def kind_of(value: object) -> ImportKind:
    """The posted kind; Invalid naming `kind` for anything else."""
    try:
        return ImportKind(str(value or ""))
    except ValueError as exc:
        raise Invalid("Choose what the file holds.", field="kind") from exc


def create_and_preview(request: Request, db: Session, user: User, kind: ImportKind, upload: FileUpload) -> ImportJob:
    """Keep the file and start its preview (at once without a broker, on a worker with one)."""
    config = get_settings(request)
    job = imports.create(db, user, kind, upload, config.data_dir, config.import_max_bytes, config.import_max_rows)
    return start_run(request, db, user, job.id, apply=False)


def create_from_posted(request: Request, db: Session, user: User, values: Mapping[str, object]) -> ImportJob:
    """Start an import from what was posted: a Google Sheet (`sheet`, `tab`) or an uploaded `file`; `kind`."""
    kind = kind_of(values.get("kind"))
    if "sheet" not in values:
        return create_and_preview(request, db, user, kind, upload_of(values.get("file")))
    ref = parse_ref(_text(values.get("sheet"), "sheet"), _text(values.get("tab"), "tab"))
    config = get_settings(request)
    access = SheetsAccess(config.google_service_account_file, config.sheets_api_base)
    job = imports.create_from_sheet(db, user, kind, ref, access, config.data_dir, config.import_max_rows)
    return start_run(request, db, user, job.id, apply=False)


def _text(value: object, field: str) -> str:
    """A posted text value (at most 500 characters); Invalid naming the field otherwise."""
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > 500 or "\x00" in value:
        raise Invalid("Invalid value.", field=field)
    return value


async def posted_values(request: Request) -> Mapping[str, object]:
    """The posted body: JSON {"sheet", "tab", "kind"} or the multipart form (`file`, `kind`, ...)."""
    if request.headers.get("content-type", "").split(";")[0].strip() == "application/json":
        try:
            body = await request.json()
        except ValueError as exc:
            raise Invalid("The body is not valid JSON.", field="body") from exc
        if not isinstance(body, dict):
            raise Invalid("The body must be a JSON object.", field="body")
        return body
    return await read_form(request)


PostedValues = Annotated[Mapping[str, object], Depends(posted_values)]


def start_run(request: Request, db: Session, user: User, import_id: int, apply: bool) -> ImportJob:
    """Mark the import as previewing or applying and run it (see tasks.imports.start)."""
    config = get_settings(request)
    job = imports.begin(db, user, import_id, apply, config.data_dir)
    start(db, user, job.id, config)
    return job


def status_of(request: Request, job: ImportJob) -> dict[str, Any]:
    """The import as both twins show it: its row, counts in full, live progress while it runs."""
    counts = {"create": 0, "update": 0, "unchanged": 0, "reject": 0, **(job.counts or {})}
    info = {name: getattr(job, name) for name in READ_FIELDS}
    info.update(counts=counts, **imports.status(job, get_settings(request).data_dir))
    info.setdefault("progress", job.progress)
    info["error"] = gettext(job.error) if job.error else ""
    return info


READ_FIELDS = (  # the fields of ImportRead read off the row
    "id",
    "kind",
    "status",
    "progress",
    "source",
    "filename",
    "headers",
    "mapping",
    "encoding",
    "delimiter",
    "sheet",
    "create_buildings",
    "total_rows",
    "created_at",
    "finished_at",
)


def error_report(db: Session, user: User, import_id: int, fmt: str) -> Response:
    """The rejected rows with the file's own columns and a reason column, as CSV or XLSX."""
    job, rows = imports.rejected(db, user, import_id)
    width = len(job.headers)
    headers = [*job.headers, gettext("Reason")]
    body = ([*(r.values + [""] * width)[:width], _reason(r.reason, r.field, job.kind)] for r in rows)
    return export_response(fmt, f"import-{job.id}-errors", headers, body)


def _reason(reason: str, field: str, kind: ImportKind) -> str:
    """The reason as a person reads it: the field's name, then what is wrong with its cell."""
    label = FIELDS[kind].get(field, ("",))[0]
    text = gettext(reason)
    return f"{gettext(label)}: {text}" if label else text

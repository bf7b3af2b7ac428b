"""The JSON twin of the imports: upload (201), state and counts, rows by outcome, options and
mapping, apply, cancel, the error report."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from app.auth.deps import CurrentUser, DbSession, get_settings, lock_free, require
from app.auth.permissions import P
from app.core.paging import Page
from app.core.types import Id
from app.domain.imports.crud import imports
from app.domain.imports.models import ImportMapping, ImportRow
from app.domain.imports.schemas import ImportOptions, ImportRead, MappingRead, MappingWrite, RowFilter, RowRead
from app.domain.imports.undo import UndoRefused
from app.features.imports.shared import PostedValues, create_from_posted, error_report, start_run, status_of
from app.web.i18n import gettext
from app.web.openapi import EXPORT_RESPONSES

router = APIRouter(dependencies=[Depends(require(P.IMPORTS_RUN))])
KINDS = ["apartments", "leads", "payments"]
SOURCE_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["kind", "file"],
                "properties": {
                    "kind": {"type": "string", "enum": KINDS},
                    "file": {"type": "string", "format": "binary"},
                },
            }
        },
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["kind", "sheet", "tab"],
                "properties": {
                    "kind": {"type": "string", "enum": KINDS},
                    "sheet": {"type": "string", "description": "the Google Sheet's address or id"},
                    "tab": {"type": "string"},
                },
            }
        },
    },
}


@router.post("/imports", status_code=201, openapi_extra={"requestBody": SOURCE_BODY})
def create_import(request: Request, db: DbSession, user: CurrentUser, values: PostedValues) -> dict[str, Any]:
    """Start an import of `kind` apartments, leads or payments from an uploaded CSV or XLSX (multipart
    `file`) or a Google Sheet (JSON `sheet`: its address or id, `tab`); its preview starts at once."""
    job = create_from_posted(request, db, user, values)
    return {"id": job.id, "status": job.status}


@router.get("/imports", response_model=list[ImportRead])
def list_imports(request: Request, db: DbSession, user: CurrentUser) -> list[dict[str, Any]]:
    """The latest imports, newest first."""
    return [status_of(request, job) for job in imports.recent(db, user)]


@router.get("/imports/{import_id:int}", response_model=ImportRead)
def get_import(request: Request, db: DbSession, user: CurrentUser, import_id: Id) -> dict[str, Any]:
    """An import: status, progress (0..1), counts {create, update, unchanged, reject}, mapping."""
    return status_of(request, imports.get(db, user, import_id))


@router.get("/imports/{import_id:int}/rows", response_model=Page[RowRead])
def import_rows(db: DbSession, user: CurrentUser, import_id: Id, f: Annotated[RowFilter, Query()]) -> Page[RowRead]:
    """The rows' outcomes in file order, `outcome=` create | update | unchanged | reject."""
    page = imports.rows(db, user, import_id, f)
    return Page(items=[_row(r) for r in page.items], total=page.total, page=page.page, page_size=page.page_size)


@router.put("/imports/{import_id:int}/options", response_model=ImportRead)
def set_options(
    request: Request, db: DbSession, user: CurrentUser, import_id: Id, body: ImportOptions
) -> dict[str, Any]:
    """Change the mapping {field: header} and how the file is read; it is previewed again."""
    imports.configure(db, user, import_id, body, get_settings(request).data_dir)
    return status_of(request, start_run(request, db, user, import_id, apply=False))


@router.post("/imports/{import_id:int}/apply", response_model=ImportRead)
def apply_import(request: Request, db: DbSession, user: CurrentUser, import_id: Id) -> dict[str, Any]:
    """Apply a previewed import: all rows or none (409 when it is not in preview)."""
    return status_of(request, start_run(request, db, user, import_id, apply=True))


@router.post("/imports/{import_id:int}/cancel", response_model=ImportRead)
@lock_free
def cancel_import(request: Request, db: DbSession, user: CurrentUser, import_id: Id) -> dict[str, Any]:
    """Stop an import that has not been applied: a running one stops after its current chunk and
    keeps nothing (`stopping` until then), any other is cancelled at once; 409 once finished."""
    return status_of(request, imports.cancel(db, user, import_id, get_settings(request).data_dir))


@router.post(
    "/imports/{import_id:int}/undo",
    response_model=ImportRead,
    responses={409: {"description": "Rows changed since the import (`changed`: entity, id, key, reason)"}},
)
def undo_import(request: Request, db: DbSession, user: CurrentUser, import_id: Id) -> Any:
    """Undo an applied import (all or nothing) while nothing it touched has changed since; 409 listing
    the changed rows otherwise."""
    try:
        return status_of(request, imports.undo(db, user, import_id))
    except UndoRefused as exc:
        message = gettext(exc.message, **exc.params)
        return JSONResponse({"detail": message, "changed": exc.changed}, status_code=409)


@router.get("/imports/{import_id:int}/errors.csv", response_class=Response, responses=EXPORT_RESPONSES)
def errors_csv(db: DbSession, user: CurrentUser, import_id: Id) -> Response:
    """The rejected rows with the file's columns and a reason column, as CSV."""
    return error_report(db, user, import_id, "csv")


@router.get("/imports/{import_id:int}/errors.xlsx", response_class=Response, responses=EXPORT_RESPONSES)
def errors_xlsx(db: DbSession, user: CurrentUser, import_id: Id) -> Response:
    """The rejected rows as XLSX."""
    return error_report(db, user, import_id, "xlsx")


@router.put("/imports/mappings/{source}", response_model=MappingRead)
def save_mapping(db: DbSession, user: CurrentUser, source: str, body: MappingWrite) -> ImportMapping:
    """Save the mapping {field: header} of a source (a file name without its extension) for its next imports."""
    return imports.save_mapping(db, user, source, body)


def _row(row: ImportRow) -> RowRead:
    """A row's outcome with its reason in the reader's language."""
    read = RowRead.model_validate(row)
    return read.model_copy(update={"reason": gettext(row.reason) if row.reason else ""})

"""The imports page for admins: upload a file, see its preview with a live progress bar, fix the
column mapping and how the file is read, apply it or drop it, download the rejected rows."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.auth.deps import CurrentUser, DbSession, get_settings, lock_free, require
from app.auth.models import User
from app.auth.permissions import P
from app.core.errors import AppError
from app.core.types import Id
from app.domain.imports.crud import RUNNING, imports
from app.domain.imports.mapping import FIELDS, REQUIRED
from app.domain.imports.models import ImportKind, ImportStatus, Outcome
from app.domain.imports.schemas import ImportOptions, RowFilter
from app.domain.imports.undo import UndoRefused
from app.features.imports.shared import create_from_posted, error_report, start_run, status_of
from app.web.feature import DashboardBase, dashboard_base
from app.web.forms import PostedForm
from app.web.i18n import gettext
from app.web.labels import N_
from app.web.templating import is_htmx, render, see_other

router = APIRouter(dependencies=[Depends(require(P.IMPORTS_RUN))])
TEMPLATE = "features/imports/page.html"
KIND_LABELS = {
    ImportKind.APARTMENTS: N_("Apartments"),
    ImportKind.LEADS: N_("Leads"),
    ImportKind.PAYMENTS: N_("Payments"),
}
STATUS_LABELS = {
    ImportStatus.QUEUED: N_("Waiting"),
    ImportStatus.PREVIEWING: N_("Preview is running"),
    ImportStatus.PREVIEW: N_("Preview ready"),
    ImportStatus.APPLYING: N_("Importing"),
    ImportStatus.DONE: N_("Imported"),
    ImportStatus.FAILED: N_("Failed"),
    ImportStatus.CANCELLED: N_("Cancelled"),
    ImportStatus.UNDONE: N_("Undone"),
}
OUTCOME_LABELS = {
    Outcome.CREATE: N_("To create"),
    Outcome.UPDATE: N_("To update"),
    Outcome.UNCHANGED: N_("Unchanged"),
    Outcome.REJECT: N_("Rejected"),
}
UNDO_REASONS = {
    "deleted": N_("deleted since"),
    "changed": N_("changed since"),
    "activity": N_("has activity since (comments, bookings, contracts or work orders)"),
}
ENCODINGS = (("utf-8", "UTF-8"), ("utf-8-sig", N_("UTF-8 with BOM")), ("cp1251", "Windows-1251"))
DELIMITERS = ((";", N_("Semicolon ;")), (",", N_("Comma ,")), ("\t", N_("Tab")))


def _labels() -> dict[str, Any]:
    return {
        "kind_labels": KIND_LABELS,
        "status_labels": STATUS_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        "undo_reasons": UNDO_REASONS,
        "encodings": ENCODINGS,
        "delimiters": DELIMITERS,
    }


def _list(
    request: Request,
    db: Session,
    user: User,
    errors: dict[str, str],
    status_code: int = 200,
    posted: FormData | None = None,
) -> Response:
    source = "sheet" if posted is not None and "sheet" in posted else "file"
    context = {"jobs": imports.recent(db, user), "errors": errors, "source": source, "page_kind": "list", **_labels()}
    context["base"] = dashboard_base(request)
    context["posted"] = {k: str(posted.get(k) or "") for k in ("sheet", "tab", "kind")} if source == "sheet" else {}
    return render(request, TEMPLATE, context, status_code=status_code)


@router.get("/imports")
def imports_page(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """The upload form and the latest imports."""
    return _list(request, db, user, {})


@router.post("/imports")
def upload_import(
    request: Request, db: DbSession, user: CurrentUser, base: DashboardBase, form: PostedForm
) -> Response:
    """Upload a file or read a Google Sheet's tab; its preview starts at once and its page opens (the form
    again with the error next to the field otherwise)."""
    try:
        job = create_from_posted(request, db, user, form)
    except AppError as exc:
        return _list(request, db, user, {exc.field or "file": gettext(exc.message, **exc.params)}, 422, form)
    return see_other(f"{base}/imports/{job.id}")


@router.get("/imports/{import_id:int}")
def import_page(
    request: Request, db: DbSession, user: CurrentUser, import_id: Id, f: Annotated[RowFilter, Query()]
) -> Response:
    """An import: progress while it runs (polled), then counts, the rows by outcome, mapping and actions."""
    job = imports.get(db, user, import_id)
    if is_htmx(request) and request.headers.get("HX-Target") == "progress" and job.status not in RUNNING:
        return Response(status_code=204, headers={"HX-Refresh": "true"})  # finished: show the whole result
    return _detail(request, db, user, import_id, f)


def _detail(
    request: Request,
    db: Session,
    user: User,
    import_id: int,
    f: RowFilter,
    refused: UndoRefused | None = None,
    status_code: int = 200,
) -> Response:
    """The import's page (or its progress block for polling), with why an undo was refused if it was."""
    job = imports.get(db, user, import_id)
    context = {
        "page_kind": "detail",
        "base": dashboard_base(request),
        "job": job,
        "info": status_of(request, job),
        "running": job.status in RUNNING,
        "fields": FIELDS[job.kind],
        "required": REQUIRED[job.kind],
        "rows": imports.rows(db, user, import_id, f),
        "f": f,
        "errors": {},
        "undo_error": gettext(refused.message, **refused.params) if refused else "",
        "undo_changed": refused.changed if refused else [],
        **_labels(),
    }
    return render(request, TEMPLATE, context, block="progress", status_code=status_code)


@router.post("/imports/{import_id:int}/options")
def save_options(
    request: Request, db: DbSession, user: CurrentUser, base: DashboardBase, import_id: Id, form: PostedForm
) -> Response:
    """Save the mapping and how to read the file, and preview again."""
    job = imports.get(db, user, import_id)
    mapping = {name: str(form.get(f"map_{name}") or "") for name in FIELDS[job.kind]}
    options = ImportOptions(
        mapping={k: v for k, v in mapping.items() if v},
        encoding=_choice(form.get("encoding"), ENCODINGS),
        delimiter=_choice(form.get("delimiter"), DELIMITERS),
        sheet=str(form.get("sheet") or "")[:100],
        create_buildings=form.get("create_buildings") == "1",
    )
    imports.configure(db, user, import_id, options, get_settings(request).data_dir)
    start_run(request, db, user, import_id, apply=False)
    return see_other(f"{base}/imports/{import_id}")


@router.post("/imports/{import_id:int}/apply")
def apply_import(request: Request, db: DbSession, user: CurrentUser, base: DashboardBase, import_id: Id) -> Response:
    """Apply the previewed import."""
    start_run(request, db, user, import_id, apply=True)
    return see_other(f"{base}/imports/{import_id}")


@router.post("/imports/{import_id:int}/cancel")
@lock_free
def cancel_import(request: Request, db: DbSession, user: CurrentUser, base: DashboardBase, import_id: Id) -> Response:
    """Stop the import without applying it (a running one after its current chunk, keeping nothing)."""
    imports.cancel(db, user, import_id, get_settings(request).data_dir)
    return see_other(f"{base}/imports/{import_id}")


@router.post("/imports/{import_id:int}/undo")
def undo_import(request: Request, db: DbSession, user: CurrentUser, base: DashboardBase, import_id: Id) -> Response:
    """Undo the applied import; the page again listing the changed rows when it cannot be undone."""
    try:
        imports.undo(db, user, import_id)
    except UndoRefused as exc:
        return _detail(request, db, user, import_id, RowFilter(), exc, 409)
    return see_other(f"{base}/imports/{import_id}")


@router.get("/imports/{import_id:int}/errors.csv")
def errors_csv(db: DbSession, user: CurrentUser, import_id: Id) -> Response:
    """The rejected rows with a reason column, as CSV."""
    return error_report(db, user, import_id, "csv")


@router.get("/imports/{import_id:int}/errors.xlsx")
def errors_xlsx(db: DbSession, user: CurrentUser, import_id: Id) -> Response:
    """The rejected rows with a reason column, as XLSX."""
    return error_report(db, user, import_id, "xlsx")


def _choice(value: object, options: tuple[tuple[str, str], ...]) -> str:
    """A posted select's value when it is one of its options, else '' (keep what was sniffed)."""
    text = str(value or "")
    return text if text in {v for v, _ in options} else ""

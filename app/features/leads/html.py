"""The leads: the list (search, filters, paging, export) and, for those who work leads, the lead page with
its actions (status, comment, temperature and callback) and the form for a lead entered by hand.

Row scope lives in LeadCRUD: a salesperson sees their own leads, MOP, ROP and admin all of them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app.auth.deps import CurrentUser, DbSession, require
from app.auth.permissions import P
from app.core import clock
from app.core.types import Id
from app.domain.inventory.crud import complexes
from app.domain.leads.crud import leads, pipeline
from app.domain.leads.schemas import CommentCreate, LeadCreate, LeadEdit, LeadFilter, StatusChange
from app.features.leads.exports import leads_export
from app.web.export import ExportFormat
from app.web.feature import DashboardBase
from app.web.forms import PostedForm, blank_is_none, first_error, local_to_utc, submit_with_status
from app.web.handlers import error_response
from app.web.lead_page import comment_item, lead_page
from app.web.templating import is_htmx, render, see_other

router = APIRouter()
WRITE = [Depends(require(P.LEADS_WRITE))]


@router.get("/leads")
def leads_page(
    request: Request, db: DbSession, user: CurrentUser, base: DashboardBase, f: Annotated[LeadFilter, Query()]
) -> HTMLResponse:
    """Leads the user may see: search by name or phone, filters, sorting, paging."""
    context = {"page": leads.page(db, user, f), "f": f, "base": base}
    if not is_htmx(request):
        context["complexes"] = complexes.all(db)
    return render(request, "features/leads/list.html", context, block="rows")


@router.get("/leads/export")
def leads_export_file(
    db: DbSession, user: CurrentUser, f: Annotated[LeadFilter, Query()], format: ExportFormat = "csv"
) -> Response:
    """The filtered leads as CSV or XLSX."""
    return leads_export(db, user, f, format)


@router.get("/leads/new", dependencies=WRITE)
def new_lead_page(request: Request, db: DbSession, user: CurrentUser, base: DashboardBase) -> Response:
    """An empty form for a lead entered by hand."""
    return _new_lead_form(request, db, base, {"source": "manual"}, {})


@router.post("/leads", dependencies=WRITE)
def create_lead(request: Request, form: PostedForm, db: DbSession, user: CurrentUser, base: DashboardBase) -> Response:
    """Enter a lead by hand: the new lead, the caller's existing one, or the form with errors."""
    values = blank_is_none(dict(form), "temperature", "complex_id", "source")
    result, values, errors, status = submit_with_status(db, LeadCreate, values, lambda d: pipeline.create(db, user, d))
    if errors:
        return _new_lead_form(request, db, base, values, errors, status_code=status)
    lead, created = result
    return see_other(f"{base}/leads/{lead.id}?note={'created' if created else 'existed'}")


@router.get("/leads/{lead_id:int}")
def lead_detail_page(request: Request, db: DbSession, user: CurrentUser, lead_id: Id) -> Response:
    """One lead with its bookings, contracts and timeline; its actions for those who work leads (the ROP reads)."""
    return lead_page(request, db, pipeline.get(db, user, lead_id))


@router.post("/leads/{lead_id:int}/status", dependencies=WRITE)
def change_status(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, lead_id: Id, base: DashboardBase
) -> Response:
    """Move a lead (`view`: card for the board, row for the list; else back to its page)."""
    lead = pipeline.get(db, user, lead_id)
    values = dict(form)
    view = values.pop("view", "")
    changed, values, errors, status = submit_with_status(
        db, StatusChange, values, lambda d: pipeline.change_status(db, user, lead_id, d)
    )
    htmx = is_htmx(request)
    if errors:
        if htmx:
            return error_response(request, status, first_error(errors))
        errors = {("reason" if name == "__all__" else name): message for name, message in errors.items()}
        return lead_page(request, db, lead, status_code=status, status_errors=errors, status_values=values)
    if htmx and view == "card":
        names = {changed.complex_id: changed.complex.name} if changed.complex else {}
        return render(
            request,
            "features/kanban/card.html",
            {"lead": changed, "base": base, "now": clock.now(), "complex_names": names},
        )
    if htmx and view == "row":
        return render(request, "features/leads/row.html", {"lead": changed, "base": base})
    return see_other(f"{base}/leads/{lead_id}?note=status")


@router.post("/leads/{lead_id:int}/comments", dependencies=WRITE)
def add_comment(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, lead_id: Id, base: DashboardBase
) -> Response:
    """Add a note; HTMX gets the new timeline entry."""
    lead = pipeline.get(db, user, lead_id)
    note, _, errors, status = submit_with_status(
        db, CommentCreate, dict(form), lambda d: pipeline.comment(db, user, lead_id, d)
    )
    if errors:
        if is_htmx(request):
            return error_response(request, status, first_error(errors))
        return lead_page(request, db, lead, status_code=status, comment_errors=errors)
    if is_htmx(request):
        return render(
            request,
            "features/leads/timeline_item.html",
            {"item": comment_item(note), "base": base},
            status_code=201,
        )
    return see_other(f"{base}/leads/{lead_id}?note=comment")


@router.post("/leads/{lead_id:int}/edit", dependencies=WRITE)
def edit_lead(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, lead_id: Id, base: DashboardBase
) -> Response:
    """Set temperature and next callback (a local time of the company's time zone)."""
    lead = pipeline.get(db, user, lead_id)
    raw = dict(form)
    values = {
        "temperature": raw.get("temperature") or None,
        "next_callback_at": local_to_utc(raw.get("next_callback_at", "")),
    }
    _, _, errors, status = submit_with_status(db, LeadEdit, values, lambda d: pipeline.edit(db, user, lead_id, d))
    if errors:
        return lead_page(request, db, lead, status_code=status, edit_errors=errors, edit_values=raw)
    return see_other(f"{base}/leads/{lead_id}?note=saved")


def _new_lead_form(
    request: Request, db: Session, base: str, values: dict, errors: dict, status_code: int = 200
) -> Response:
    """The new-lead form with its values and errors."""
    context = {"values": values, "errors": errors, "complexes": complexes.all(db), "base": base}
    return render(request, "features/leads/new.html", context, status_code=status_code)

"""The MOP's lead distribution: unassigned leads (or any filter) ticked and given to a salesperson."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.auth.crud import users
from app.auth.deps import CurrentUser, DbSession
from app.auth.models import User
from app.core.types import Int
from app.domain.inventory.crud import complexes
from app.domain.leads.crud import leads, pipeline
from app.domain.leads.schemas import Assignment, LeadFilter
from app.web.feature import DashboardBase, dashboard_base
from app.web.forms import PostedForm, submit_values
from app.web.i18n import gettext
from app.web.redirects import safe_path
from app.web.templating import is_htmx, render, see_other

router = APIRouter()


def _assign_page(
    request: Request, db: Session, user: User, f: LeadFilter, status_code: int = 200, **extra: Any
) -> Response:
    """The distribution list; HTMX filter requests get only its rows."""
    context = {
        "base": dashboard_base(request),
        "f": f,
        "page": leads.page(db, user, f),
        "team": users.salespeople(db),
        "errors": {},
        "checked": set(),
        "salesperson_id": "",
        "done": None,
        **extra,
    }
    if not is_htmx(request):
        context["complexes"] = complexes.all(db)
    return render(request, "features/assignment/assign.html", context, block="rows", status_code=status_code)


@router.get("/assign")
def assign_leads_page(
    request: Request, db: DbSession, user: CurrentUser, f: Annotated[LeadFilter, Query()], done: Int | None = None
) -> Response:
    """Leads to distribute (unassigned by default) with checkboxes and a salesperson to give them to."""
    if "unassigned" not in request.query_params and not f.assigned_id:
        f = f.model_copy(update={"unassigned": True})
    return _assign_page(request, db, user, f, done=done)


@router.post("/leads/assign")
def assign_leads(request: Request, form: PostedForm, db: DbSession, user: CurrentUser, base: DashboardBase) -> Response:
    """Give the ticked leads to a salesperson; back to the list saying how many changed."""
    values = {"lead_ids": form.getlist("lead_ids"), "salesperson_id": form.get("salesperson_id") or ""}
    changed, _, errors = submit_values(db, Assignment, values, lambda d: pipeline.assign(db, user, d))
    listing, back = f"{base}/assign", str(form.get("back", ""))  # the list's query string ("?...")
    back = safe_path(
        listing + back if back.startswith("?") else "", within=listing, fallback=f"{listing}?unassigned=true"
    )
    query = [(k, v) for k, v in parse_qsl(urlsplit(back).query, keep_blank_values=True) if k != "done"]
    if not errors:
        return see_other(f"{base}/assign?{urlencode([*query, ('done', changed)])}")
    if "lead_ids" in errors and not values["lead_ids"]:
        errors["lead_ids"] = gettext("Tick at least one lead.")
    if "salesperson_id" in errors and not values["salesperson_id"]:
        errors["salesperson_id"] = gettext("Choose a salesperson.")
    try:
        f = LeadFilter.model_validate(dict(query))
    except ValidationError:
        f = LeadFilter(unassigned=True)
    return _assign_page(
        request,
        db,
        user,
        f,
        status_code=422,
        errors=errors,
        checked=set(values["lead_ids"]),
        salesperson_id=values["salesperson_id"],
    )

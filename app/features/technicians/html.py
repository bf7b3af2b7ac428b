"""Technicians for the dispatcher: the list with the form to add one, and each one's edit form."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.auth.deps import CurrentUser, DbSession, require
from app.auth.models import User
from app.auth.permissions import P
from app.core.types import Id
from app.domain.dispatch.crud import technicians
from app.domain.dispatch.models import Technician
from app.domain.dispatch.schemas import TechnicianWrite
from app.web.feature import DashboardBase
from app.web.forms import PostedForm, submit_values
from app.web.templating import render, see_other

router = APIRouter()
WRITE = [Depends(require(P.TECHNICIANS_WRITE))]
DAYS = range(7)


def _values_of(row: Technician | None) -> dict:
    """A technician (or a new one: Monday to Friday, 09:00-18:00) as the form shows it."""
    if row is None:
        return {
            "color": "#3b82f6",
            "is_active": True,
            "skills": [],
            "hours": {str(d): ["09:00", "18:00"] for d in range(5)},
        }
    return {
        "name": row.name,
        "phone": row.phone,
        "color": row.color,
        "is_active": row.is_active,
        "skills": list(row.skills),
        "hours": dict(row.hours),
    }


def _posted(form: FormData) -> dict:
    """The posted form as the technician model reads it (hours of the days ticked as working)."""
    hours = {
        str(d): [str(form.get(f"from_{d}", "")), str(form.get(f"to_{d}", ""))] for d in DAYS if form.get(f"works_{d}")
    }
    return {
        "name": form.get("name", ""),
        "phone": form.get("phone", ""),
        "color": form.get("color", ""),
        "skills": form.getlist("skills"),
        "hours": hours,
        "is_active": bool(form.get("is_active")),
    }


def _page(
    request: Request,
    db: Session,
    user: User,
    base: str,
    target: Technician | None,
    values: dict,
    errors: dict,
    status_code: int = 200,
) -> Response:
    context = {"items": technicians.all(db, user), "target": target, "values": values, "errors": errors, "base": base}
    context["saved"] = request.query_params.get("saved", "")[:10]
    return render(request, "features/technicians/list.html", context, status_code=status_code)


@router.get("/technicians")
def technicians_page(request: Request, db: DbSession, user: CurrentUser, base: DashboardBase) -> Response:
    """Every technician with their skills and hours, and the form to add one."""
    return _page(request, db, user, base, None, _values_of(None), {})


@router.post("/technicians", dependencies=WRITE)
def create_technician(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, base: DashboardBase
) -> Response:
    """Add a technician; the form again with the errors next to the fields."""
    values = _posted(form)
    row, _, errors = submit_values(db, TechnicianWrite, values, lambda d: technicians.create(db, user, d))
    if row is None:
        return _page(request, db, user, base, None, values, errors, status_code=422)
    return see_other(f"{base}/technicians?saved={row.id}")


@router.get("/technicians/{technician_id:int}")
def technician_page(
    request: Request, db: DbSession, user: CurrentUser, base: DashboardBase, technician_id: Id
) -> Response:
    """A technician in the form, to change them."""
    target = technicians.get(db, user, technician_id)
    return _page(request, db, user, base, target, _values_of(target), {})


@router.post("/technicians/{technician_id:int}", dependencies=WRITE)
def update_technician(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, base: DashboardBase, technician_id: Id
) -> Response:
    """Save a technician's details."""
    target = technicians.get(db, user, technician_id)
    values = _posted(form)
    row, _, errors = submit_values(db, TechnicianWrite, values, lambda d: technicians.update(db, user, target.id, d))
    if row is None:
        return _page(request, db, user, base, target, values, errors, status_code=422)
    return see_other(f"{base}/technicians?saved={row.id}")

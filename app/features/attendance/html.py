"""The check-in/check-out button of the top bar (an HTMX fragment) and its form posts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.auth.deps import CurrentUser, DbSession
from app.auth.models import User
from app.domain.staff.attendance import attendance
from app.web.feature import DashboardBase
from app.web.forms import PostedForm
from app.web.templating import is_htmx, render, see_other

router = APIRouter()


def _button(request: Request, db: Session, user: User, base: str, status_code: int = 200) -> Response:
    """The button as the user's shift stands now."""
    context = {"shift": attendance.open_shift(db, user.id), "base": base}
    return render(request, "features/attendance/button.html", context, status_code=status_code)


@router.get("/attendance/button")
def button(request: Request, db: DbSession, user: CurrentUser, base: DashboardBase) -> Response:
    """The top bar's button: "Check in", or "On shift since 09:02 · Check out"."""
    return _button(request, db, user, base)


def _after(request: Request, db: Session, user: User, base: str, status_code: int) -> Response:
    """HTMX gets the new button; a plain form goes back to the dashboard."""
    if is_htmx(request):
        return _button(request, db, user, base, status_code)
    return see_other(f"{base}/")


@router.post("/attendance/check-in")
def check_in(request: Request, form: PostedForm, db: DbSession, user: CurrentUser, base: DashboardBase) -> Response:
    """Start a shift (409 as a toast when one is open)."""
    attendance.check_in(db, user)
    return _after(request, db, user, base, 201)


@router.post("/attendance/check-out")
def check_out(request: Request, form: PostedForm, db: DbSession, user: CurrentUser, base: DashboardBase) -> Response:
    """End the open shift (409 as a toast when not checked in)."""
    attendance.check_out(db, user)
    return _after(request, db, user, base, 200)

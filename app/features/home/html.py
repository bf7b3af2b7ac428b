"""The home page of every dashboard."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.auth.deps import CurrentUser, DbSession
from app.domain.staff.crud import staff
from app.web.feature import dashboard_role
from app.web.reports_ui import funnel_charts
from app.web.templating import render

router = APIRouter()


@router.get("/")
def home_page(request: Request, db: DbSession, user: CurrentUser) -> HTMLResponse:
    """The role's home: counters, team and the user's recent actions."""
    role = dashboard_role(request)
    summary = staff.home(db, user, role)
    charts = funnel_charts(summary.rop.funnel) if summary.rop else {}
    return render(request, "features/home/home.html", {"summary": summary, "role": role, **charts})

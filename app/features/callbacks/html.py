"""The callbacks due: open leads whose callback time has come, the most overdue first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.deps import CurrentUser, DbSession
from app.core import clock
from app.domain.leads.crud import pipeline
from app.web.feature import DashboardBase
from app.web.templating import render

router = APIRouter()


@router.get("/callbacks")
def callbacks_page(request: Request, db: DbSession, user: CurrentUser, base: DashboardBase) -> Response:
    """Open leads whose callback is due today or overdue, the most overdue first."""
    due = pipeline.callbacks(db, user)
    return render(request, "features/callbacks/callbacks.html", {"leads": due, "base": base, "now": clock.now()})

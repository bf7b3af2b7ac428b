"""The callbacks: open leads whose callback falls in a period of company days, the earliest first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.deps import CurrentUser, DbSession
from app.core import clock
from app.domain.leads.crud import pipeline
from app.domain.leads.schemas import CallbackWhen
from app.web.feature import DashboardBase
from app.web.templating import render

router = APIRouter()


@router.get("/callbacks")
def callbacks_page(
    request: Request, db: DbSession, user: CurrentUser, base: DashboardBase, when: CallbackWhen = CallbackWhen.DUE
) -> Response:
    """Open leads whose callback falls in `when` (default overdue and today), earliest first."""
    due = pipeline.callbacks(db, user, when)
    context = {"leads": due, "base": base, "now": clock.now(), "when": when}
    return render(request, "features/callbacks/callbacks.html", context)

"""The JSON twin of the home page."""

from __future__ import annotations

from fastapi import APIRouter, Request

from app.auth.deps import CurrentUser, DbSession
from app.domain.staff.crud import staff
from app.domain.staff.schemas import HomeSummary
from app.web.feature import dashboard_role

router = APIRouter()


@router.get("/", response_model=HomeSummary)
def home(request: Request, db: DbSession, user: CurrentUser) -> HomeSummary:
    """The role's home data: counters, team and the user's recent actions."""
    return staff.home(db, user, dashboard_role(request))

"""The JSON twin of the callbacks page."""

from __future__ import annotations

from fastapi import APIRouter

from app.auth.deps import CurrentUser, DbSession
from app.domain.leads.crud import pipeline
from app.domain.leads.models import Lead
from app.domain.leads.schemas import CallbackWhen, LeadRead

router = APIRouter()


@router.get("/callbacks", response_model=list[LeadRead])
def callbacks(db: DbSession, user: CurrentUser, when: CallbackWhen = CallbackWhen.DUE) -> list[Lead]:
    """Open leads whose callback falls in `when` (due: overdue and today; overdue, today, tomorrow, week, all)."""
    return pipeline.callbacks(db, user, when)

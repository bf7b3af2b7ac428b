"""The JSON twin of the callbacks page."""

from __future__ import annotations

from fastapi import APIRouter

from app.auth.deps import CurrentUser, DbSession
from app.domain.leads.crud import pipeline
from app.domain.leads.models import Lead
from app.domain.leads.schemas import LeadRead

router = APIRouter()


@router.get("/callbacks", response_model=list[LeadRead])
def callbacks(db: DbSession, user: CurrentUser) -> list[Lead]:
    """Open leads whose callback is due today or overdue."""
    return pipeline.callbacks(db, user)

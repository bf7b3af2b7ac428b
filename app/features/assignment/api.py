"""The JSON twin of lead distribution, and merging a duplicate lead into the one that stays."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from app.auth.deps import CurrentUser, DbSession, require
from app.auth.permissions import P
from app.domain.leads.crud import pipeline
from app.domain.leads.merge import merge_leads
from app.domain.leads.models import Lead
from app.domain.leads.schemas import Assignment, LeadRead, MergeLeads

router = APIRouter()


@router.post("/leads/assign")
def assign(db: DbSession, user: CurrentUser, body: Assignment) -> dict[str, int]:
    """Give leads to a salesperson: {"changed": n}."""
    return {"changed": pipeline.assign(db, user, body)}


@router.post("/leads/merge", response_model=LeadRead, dependencies=[Depends(require(P.LEADS_MERGE))])
def merge(db: DbSession, user: CurrentUser, body: MergeLeads) -> Lead:
    """Fold a duplicate lead into the one that stays; its comments, history and bookings move."""
    return merge_leads(db, user, body)

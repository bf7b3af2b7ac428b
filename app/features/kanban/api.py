"""The JSON twin of the kanban."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.auth.deps import CurrentUser, DbSession
from app.domain.leads.schemas import LeadFilter
from app.features.kanban.board import kanban_columns
from app.features.kanban.schemas import KanbanColumn

router = APIRouter()


@router.get("/kanban", response_model=list[KanbanColumn])
def kanban(request: Request, db: DbSession, user: CurrentUser, f: Annotated[LeadFilter, Query()]) -> list[KanbanColumn]:
    """The board: one column per status, each paged (`page_new=2`, ...)."""
    return kanban_columns(db, user, f, request)

"""Read model of the kanban's JSON twin."""

from __future__ import annotations

from pydantic import BaseModel

from app.domain.leads.models import LeadStatus
from app.domain.leads.schemas import LeadRead


class KanbanColumn(BaseModel):
    """One status column of the board, paged on its own."""

    status: LeadStatus
    total: int
    page: int
    page_size: int
    items: list[LeadRead]

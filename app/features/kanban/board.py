"""The board's columns, shared by the kanban page and its JSON twin."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from app.auth.models import User
from app.domain.leads.crud import pipeline
from app.domain.leads.schemas import LeadFilter
from app.features.kanban.schemas import KanbanColumn
from app.web.forms import optional_int


def kanban_columns(db: Session, user: User, f: LeadFilter, request: Request) -> list[KanbanColumn]:
    """The board's columns, each paged by its own `page_<status>` query parameter."""
    pages = {
        key[5:]: page
        for key, value in request.query_params.items()
        if key.startswith("page_") and (page := optional_int(value)) is not None
    }
    columns = pipeline.kanban(db, user, f, pages=pages)
    return [
        KanbanColumn(status=status, total=page.total, page=page.page, page_size=page.page_size, items=page.items)
        for status, page in columns.items()
    ]

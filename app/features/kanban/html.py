"""The kanban: one column per lead status, each paged on its own, cards dragged between columns."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.auth.deps import CurrentUser, DbSession
from app.auth.models import User
from app.core import clock
from app.domain.inventory.crud import complexes
from app.domain.leads.models import LeadStatus
from app.domain.leads.schemas import LeadFilter
from app.features.kanban.board import kanban_columns
from app.web.feature import DashboardBase
from app.web.labels import LEAD_STATUS_LABELS
from app.web.templating import query_with, render

router = APIRouter()


def _board(request: Request, db: Session, user: User, f: LeadFilter, base: str) -> list[dict]:
    """The kanban columns with what the template shows: label, counts, "more" link."""
    columns = []
    for column in kanban_columns(db, user, f, request):
        status = column.status.value
        pages = max(1, math.ceil(column.total / column.page_size))
        more = None
        if column.page < pages:
            more = f"{base}/kanban?" + query_with(f, column=status, **{f"page_{status}": column.page + 1})
        columns.append(
            {
                "status": status,
                "label": LEAD_STATUS_LABELS[status],
                "total": column.total,
                "page": column.page,
                "pages": pages,
                "leads": column.items,
                "more_url": more,
                "remaining": max(0, column.total - column.page * column.page_size),
                "first_url": f"{base}/kanban?" + query_with(f) if column.page > 1 else None,
            }
        )
    return columns


@router.get("/kanban")
def kanban_page(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    f: Annotated[LeadFilter, Query()],
    base: DashboardBase,
    column: LeadStatus | None = None,
) -> Response:
    """The board; HTMX gets the board, or one column's next page (`column` and `page_<status>`)."""
    columns = _board(request, db, user, f, base)
    context = {"columns": columns, "f": f, "base": base, "now": clock.now(), "complexes": complexes.all(db)}
    context["complex_names"] = {c.id: c.name for c in context["complexes"]}
    if column is not None:
        context["column"] = next(c for c in columns if c["status"] == column.value)
        return render(request, "features/kanban/kanban.html", context, block="column_items")
    return render(request, "features/kanban/kanban.html", context, block="board")

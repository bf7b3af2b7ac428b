"""Debts by age (1-30, 31-60, 61-90, 90+ days) with filters and export."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.auth.crud import users
from app.auth.deps import CurrentUser, DbSession
from app.core import clock
from app.domain.finance.reports import bucket_totals, debts
from app.domain.finance.schemas import DebtFilter
from app.domain.inventory.crud import complexes
from app.domain.inventory.models import Currency
from app.web.export import ExportFormat
from app.web.finance_exports import (
    debts_export,
)
from app.web.finance_ui import page_of
from app.web.templating import is_htmx

router = APIRouter()


class DebtView(DebtFilter):
    """The debts page's filters: the JSON twin's, plus the currency of the bucket totals."""

    currency: Currency = Currency.UZS


@router.get("/debts")
def debts_page(request: Request, db: DbSession, user: CurrentUser, f: Annotated[DebtView, Query()]) -> Response:
    """Overdue contracts with the ageing bucket totals; filters by complex, building, salesperson, bucket."""
    today = clock.today()
    context: dict[str, Any] = {
        "page": debts(db, user, f, today),
        "f": f,
        "totals": bucket_totals(db, user, today, f.currency),
        "today": today,
    }
    if not is_htmx(request):
        context |= {"complexes": complexes.all(db), "team": users.salespeople(db)}
    return page_of(request, "features/debts/debts.html", context, block="results")


@router.get("/debts/export")
def debts_file(
    request: Request, db: DbSession, user: CurrentUser, f: Annotated[DebtView, Query()], format: ExportFormat = "csv"
) -> Response:
    """The debts under the list's filters as CSV or XLSX."""
    return debts_export(db, user, f, clock.today(), format)

"""The JSON twin of the debts pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.auth.deps import CurrentUser, DbSession
from app.core import clock
from app.core.paging import Page
from app.domain.finance.reports import bucket_totals, debts
from app.domain.finance.schemas import (
    DebtFilter,
    DebtRow,
)
from app.domain.inventory.models import Currency
from app.web.export import ExportFormat
from app.web.finance_exports import debts_export
from app.web.openapi import EXPORT_RESPONSES

router = APIRouter()


@router.get("/debts", response_model=Page[DebtRow])
def list_debts(request: Request, db: DbSession, user: CurrentUser, f: Annotated[DebtFilter, Query()]) -> Page[DebtRow]:
    """Overdue contracts with their ageing bucket, filterable by complex, building, salesperson, bucket."""
    return debts(db, user, f, clock.today())


@router.get("/debts/buckets", response_model=None)  # amounts stay JSON numbers, as before
def debt_buckets(
    request: Request, db: DbSession, user: CurrentUser, currency: Currency = Currency.UZS
) -> dict[str, Decimal]:
    """Overdue money per ageing bucket (1-30, 31-60, 61-90, 90+ days) in one currency."""
    return bucket_totals(db, user, clock.today(), currency)


@router.get("/debts/export", response_class=Response, responses=EXPORT_RESPONSES)
def debts_file(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    f: Annotated[DebtFilter, Query()],
    format: ExportFormat = "csv",
) -> Response:
    """The debts under the list's filters as CSV or XLSX."""
    return debts_export(db, user, f, clock.today(), format)

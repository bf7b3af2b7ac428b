"""The JSON twin of the cashflow pages."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from fastapi.responses import Response

from app.auth.deps import CurrentUser, DbSession
from app.domain.finance.reports import cashflow
from app.domain.finance.schemas import (
    CashflowMonth,
)
from app.domain.inventory.models import Currency
from app.web.export import ExportFormat
from app.web.finance_exports import cashflow_export
from app.web.openapi import EXPORT_RESPONSES

router = APIRouter()


@router.get("/cashflow", response_model=list[CashflowMonth])
def cash_flow(
    db: DbSession, user: CurrentUser, date_from: date, date_to: date, currency: Currency = Currency.UZS
) -> list[CashflowMonth]:
    """Planned vs received money per month, in one currency at each amount's own date's rate."""
    return cashflow(db, user, date_from, date_to, currency)


@router.get("/cashflow/export", response_class=Response, responses=EXPORT_RESPONSES)
def cash_flow_file(
    db: DbSession,
    user: CurrentUser,
    date_from: date,
    date_to: date,
    currency: Currency = Currency.UZS,
    format: ExportFormat = "csv",
) -> Response:
    """Plan vs fact per month as CSV or XLSX."""
    return cashflow_export(cashflow(db, user, date_from, date_to, currency), currency, format)

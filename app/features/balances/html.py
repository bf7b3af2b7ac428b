"""Balances: each contract with what was paid, what remains, what is overdue and any credit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.auth.deps import CurrentUser, DbSession
from app.core import clock
from app.domain.contracts.schemas import ContractFilter
from app.domain.finance.reports import contract_balances
from app.web.export import ExportFormat
from app.web.finance_exports import (
    balances_export,
)
from app.web.finance_ui import page_of

router = APIRouter()


@router.get("/balances")
def balances_page(
    request: Request, db: DbSession, user: CurrentUser, f: Annotated[ContractFilter, Query()]
) -> Response:
    """Contracts with total, paid, remaining, overdue and credit; search, status, sorting, paging."""
    page = contract_balances(db, user, f, clock.today())
    return page_of(request, "features/balances/balances.html", {"page": page, "f": f}, block="results")


@router.get("/balances/export")
def balances_file(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    f: Annotated[ContractFilter, Query()],
    format: ExportFormat = "csv",
) -> Response:
    """The balances under the list's filters as CSV or XLSX."""
    return balances_export(db, user, f, clock.today(), format)

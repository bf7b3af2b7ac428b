"""The JSON twin of the balances pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.auth.deps import CurrentUser, DbSession
from app.core import clock
from app.core.paging import Page
from app.domain.contracts.schemas import ContractFilter
from app.domain.finance.reports import contract_balances
from app.domain.finance.schemas import (
    ContractBalance,
)
from app.web.export import ExportFormat
from app.web.finance_exports import balances_export
from app.web.openapi import EXPORT_RESPONSES

router = APIRouter()


@router.get("/balances", response_model=Page[ContractBalance])
def balances(
    request: Request, db: DbSession, user: CurrentUser, f: Annotated[ContractFilter, Query()]
) -> Page[ContractBalance]:
    """Contracts with paid, remaining, overdue and credit."""
    return contract_balances(db, user, f, clock.today())


@router.get("/balances/export", response_class=Response, responses=EXPORT_RESPONSES)
def balances_file(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    f: Annotated[ContractFilter, Query()],
    format: ExportFormat = "csv",
) -> Response:
    """The balances under the list's filters as CSV or XLSX."""
    return balances_export(db, user, f, clock.today(), format)

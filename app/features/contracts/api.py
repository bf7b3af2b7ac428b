"""The JSON twin of the contract pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from app.auth.deps import CurrentUser, DbSession, get_settings, require
from app.auth.permissions import P
from app.core.paging import Page
from app.core.types import Id
from app.domain.contracts.crud import contracts
from app.domain.contracts.models import Contract
from app.domain.contracts.schemas import ContractCancel, ContractCreate, ContractFilter, ContractRead
from app.domain.dispatch.crud import work_orders
from app.domain.dispatch.models import WorkOrder
from app.domain.dispatch.schemas import WorkOrderRead
from app.features.contracts.exports import contracts_export
from app.web.export import ExportFormat
from app.web.openapi import EXPORT_RESPONSES

router = APIRouter()


@router.get("/contracts", response_model=Page[ContractRead])
def list_contracts(db: DbSession, user: CurrentUser, f: Annotated[ContractFilter, Query()]) -> Page:
    """Contracts the caller may see."""
    return contracts.page(db, user, f)


@router.get("/contracts/export", response_class=Response, responses=EXPORT_RESPONSES)
def export_contracts(
    db: DbSession, user: CurrentUser, f: Annotated[ContractFilter, Query()], format: ExportFormat = "csv"
) -> Response:
    """The filtered contracts as CSV or XLSX."""
    return contracts_export(db, user, f, format)


@router.get("/contracts/{contract_id:int}", response_model=ContractRead)
def get_contract(db: DbSession, user: CurrentUser, contract_id: Id) -> Contract:
    """One contract with its payment schedule."""
    return contracts.get(db, user, contract_id)


@router.get(
    "/contracts/{contract_id:int}/work-orders",
    response_model=list[WorkOrderRead],
    dependencies=[Depends(require(P.WORK_ORDERS_READ))],
)
def contract_work_orders(db: DbSession, user: CurrentUser, contract_id: Id) -> list[WorkOrder]:
    """The service orders of a contract's apartment (read-only; a salesperson sees their own contracts')."""
    contract = contracts.get(db, user, contract_id)
    return work_orders.for_contract(db, user, contract.id)


@router.post(
    "/contracts",
    response_model=ContractRead,
    status_code=201,
    dependencies=[Depends(require(P.CONTRACTS_WRITE))],
)
def create_contract(request: Request, db: DbSession, user: CurrentUser, body: ContractCreate) -> Contract:
    """Make the contract of an active booking; the schedule is generated."""
    return contracts.create(db, user, body, get_settings(request).sales_discount_limit_percent)


@router.post(
    "/contracts/{contract_id:int}/cancel",
    response_model=ContractRead,
    dependencies=[Depends(require(P.CONTRACTS_CANCEL))],
)
def cancel_contract(db: DbSession, user: CurrentUser, contract_id: Id, body: ContractCancel) -> Contract:
    """Cancel a contract (admin); the apartment is free again."""
    return contracts.cancel(db, user, contract_id, body.reason)

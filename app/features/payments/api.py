"""The JSON twin of the payments pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, Response

from app.auth.deps import CurrentUser, DbSession, require
from app.auth.permissions import P
from app.core import clock
from app.core.paging import Page
from app.core.types import Id
from app.domain.contracts.crud import contracts
from app.domain.finance.crud import balance_of, instalment_states, payments
from app.domain.finance.models import Payment
from app.domain.finance.schemas import (
    ContractStatement,
    PaymentCancel,
    PaymentCreate,
    PaymentFilter,
    PaymentRead,
)
from app.web.export import ExportFormat
from app.web.finance_exports import payments_export
from app.web.openapi import EXPORT_RESPONSES

router = APIRouter()


@router.post(
    "/payments",
    response_model=PaymentRead,
    status_code=201,
    dependencies=[Depends(require(P.PAYMENTS_RECORD))],
    responses={409: {"description": "the Idempotency-Key was used for another payment"}},
)
def record_payment(
    db: DbSession,
    user: CurrentUser,
    body: PaymentCreate,
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
) -> Payment | JSONResponse:
    """Record a payment; with an Idempotency-Key a retry returns the first payment instead of paying twice."""
    payment, replayed = payments.record(db, user, body, idempotency_key)
    if replayed:
        return JSONResponse(
            PaymentRead.model_validate(payment).model_dump(mode="json"),
            status_code=201,
            headers={"Idempotent-Replayed": "true"},
        )
    return payment


@router.get("/payments", response_model=Page[PaymentRead])
def list_payments(db: DbSession, user: CurrentUser, f: Annotated[PaymentFilter, Query()]) -> Page[Payment]:
    """Payments, newest first."""
    return payments.page(db, user, f)


@router.post(
    "/payments/{payment_id:int}/cancel",
    response_model=PaymentRead,
    dependencies=[Depends(require(P.PAYMENTS_CANCEL))],
)
def cancel_payment(db: DbSession, user: CurrentUser, payment_id: Id, body: PaymentCancel) -> Payment:
    """Cancel a payment with a reason; the contract's schedule is re-allocated without it."""
    return payments.cancel(db, user, payment_id, body.reason)


@router.get("/contracts/{contract_id:int}/statement", response_model=ContractStatement)
def statement(request: Request, db: DbSession, user: CurrentUser, contract_id: Id) -> ContractStatement:
    """A contract's schedule (due, paid, remaining, days overdue) and its payments."""
    contract = contracts.get(db, user, contract_id)
    received, history = payments.statement_parts(db, contract_id)
    today = clock.today()
    return ContractStatement(
        **balance_of(contract, received, today).model_dump(),
        schedule=instalment_states(contract.schedule, today),
        payments=history,
    )


@router.get("/payments/{payment_id:int}", response_model=PaymentRead)
def get_payment(db: DbSession, user: CurrentUser, payment_id: Id) -> Payment:
    """One payment (the receipt's data)."""
    return payments.get(db, user, payment_id)


@router.get("/payments/export", response_class=Response, responses=EXPORT_RESPONSES)
def payments_file(
    db: DbSession, user: CurrentUser, f: Annotated[PaymentFilter, Query()], format: ExportFormat = "csv"
) -> Response:
    """The payments under the list's filters as CSV or XLSX."""
    return payments_export(db, user, f, format)

"""JSON twin of the finance dashboard under /api/finance: payments, rates, balances, debts, cash flow."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import Header, Query, Request
from fastapi.responses import JSONResponse

from app.auth.deps import CurrentUser, DbSession
from app.auth.permissions import Role
from app.core import clock
from app.core.paging import Page
from app.domain.contracts.crud import contracts
from app.domain.contracts.schemas import ContractFilter
from app.domain.finance.crud import balance_of, instalment_states, payments
from app.domain.finance.rates import rates
from app.domain.finance.reports import bucket_totals, cashflow, contract_balances, debts
from app.domain.finance.schemas import (
    CashflowMonth,
    ContractBalance,
    ContractStatement,
    DebtFilter,
    DebtRow,
    PaymentCancel,
    PaymentCreate,
    PaymentFilter,
    PaymentRead,
    RateRead,
    RateSet,
)
from app.domain.inventory.models import Currency
from app.roles.base import api_router
from app.roles.finance.exports import balances_export, cashflow_export, debts_export, payments_export

router = api_router(Role.FINANCE)


@router.post(
    "/payments",
    response_model=PaymentRead,
    status_code=201,
    responses={409: {"description": "the Idempotency-Key was used for another payment"}},
)
def record_payment(
    db: DbSession,
    user: CurrentUser,
    body: PaymentCreate,
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
):
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
def list_payments(db: DbSession, user: CurrentUser, f: Annotated[PaymentFilter, Query()]):
    """Payments, newest first."""
    return payments.page(db, user, f)


@router.post("/payments/{payment_id:int}/cancel", response_model=PaymentRead)
def cancel_payment(db: DbSession, user: CurrentUser, payment_id: int, body: PaymentCancel):
    """Cancel a payment with a reason; the contract's schedule is re-allocated without it."""
    return payments.cancel(db, user, payment_id, body.reason)


@router.get("/balances", response_model=Page[ContractBalance])
def balances(request: Request, db: DbSession, user: CurrentUser, f: Annotated[ContractFilter, Query()]):
    """Contracts with paid, remaining, overdue and credit."""
    return contract_balances(db, user, f, clock.today())


@router.get("/contracts/{contract_id:int}/statement", response_model=ContractStatement)
def statement(request: Request, db: DbSession, user: CurrentUser, contract_id: int):
    """A contract's schedule (due, paid, remaining, days overdue) and its payments."""
    contract = contracts.get(db, user, contract_id)
    received, history = payments.statement_parts(db, contract_id)
    today = clock.today()
    return ContractStatement(
        **balance_of(contract, received, today).model_dump(),
        schedule=instalment_states(contract.schedule, today),
        payments=history,
    )


@router.get("/debts", response_model=Page[DebtRow])
def list_debts(request: Request, db: DbSession, user: CurrentUser, f: Annotated[DebtFilter, Query()]):
    """Overdue contracts with their ageing bucket, filterable by complex, building, salesperson, bucket."""
    return debts(db, user, f, clock.today())


@router.get("/debts/buckets")
def debt_buckets(request: Request, db: DbSession, user: CurrentUser, currency: Currency = Currency.UZS):
    """Overdue money per ageing bucket (1-30, 31-60, 61-90, 90+ days) in one currency."""
    return bucket_totals(db, user, clock.today(), currency)


@router.get("/cashflow", response_model=list[CashflowMonth])
def cash_flow(db: DbSession, user: CurrentUser, date_from: date, date_to: date, currency: Currency = Currency.UZS):
    """Planned vs received money per month, in one currency at each amount's own date's rate."""
    return cashflow(db, user, date_from, date_to, currency)


@router.get("/payments/{payment_id:int}", response_model=PaymentRead)
def get_payment(db: DbSession, user: CurrentUser, payment_id: int):
    """One payment (the receipt's data)."""
    return payments.get(db, user, payment_id)


@router.get("/balances/export")
def balances_file(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    f: Annotated[ContractFilter, Query()],
    format: Literal["csv", "xlsx"] = "csv",
):
    """The balances under the list's filters as CSV or XLSX."""
    return balances_export(db, user, f, clock.today(), format)


@router.get("/debts/export")
def debts_file(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    f: Annotated[DebtFilter, Query()],
    format: Literal["csv", "xlsx"] = "csv",
):
    """The debts under the list's filters as CSV or XLSX."""
    return debts_export(db, user, f, clock.today(), format)


@router.get("/payments/export")
def payments_file(
    db: DbSession, user: CurrentUser, f: Annotated[PaymentFilter, Query()], format: Literal["csv", "xlsx"] = "csv"
):
    """The payments under the list's filters as CSV or XLSX."""
    return payments_export(db, user, f, format)


@router.get("/cashflow/export")
def cash_flow_file(
    db: DbSession,
    user: CurrentUser,
    date_from: date,
    date_to: date,
    currency: Currency = Currency.UZS,
    format: Literal["csv", "xlsx"] = "csv",
):
    """Plan vs fact per month as CSV or XLSX."""
    return cashflow_export(cashflow(db, user, date_from, date_to, currency), currency, format)


@router.get("/rates", response_model=list[RateRead])
def list_rates(db: DbSession):
    """The latest UZS per USD rates."""
    return rates.recent(db)


@router.post("/rates", response_model=RateRead)
def set_rate(db: DbSession, user: CurrentUser, body: RateSet):
    """Set (or correct) the UZS per USD rate of a day."""
    return rates.set(db, user, body)

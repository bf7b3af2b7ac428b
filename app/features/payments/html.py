"""Payments: a contract's statement with recording, cancelling and receipts, and the list of payments."""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import Field
from sqlalchemy.orm import Session

from app.auth.crud import users
from app.auth.deps import CurrentUser, DbSession, require
from app.auth.models import User
from app.auth.permissions import P
from app.core import clock
from app.core.errors import Invalid
from app.core.paging import Page
from app.core.types import Id, Int
from app.domain.contracts.crud import contracts
from app.domain.contracts.models import Contract, InstalmentKind
from app.domain.contracts.schemas import ContractFilter
from app.domain.finance.crud import balance_of, instalment_states, payments
from app.domain.finance.models import Payment, PaymentStatus, PaymentType
from app.domain.finance.rates import rates
from app.domain.finance.schemas import PaymentCancel, PaymentCreate, PaymentFilter
from app.web.export import ExportFormat
from app.web.finance_exports import (
    contracts_of,
    payments_export,
)
from app.web.finance_ui import FINANCE_BASE, page_of
from app.web.forms import PostedForm, optional_int, submit_values
from app.web.i18n import gettext
from app.web.labels import PAYMENT_METHOD_LABELS, PAYMENT_TYPE_LABELS
from app.web.money import clean_numbers
from app.web.templating import see_other

router = APIRouter()


class PaymentView(PaymentFilter):
    """The payments page's filters: the JSON twin's, plus a contract found by its number or buyer."""

    contract: str = Field("", max_length=100)


def remaining_after(contract: Contract, history: list[Payment], payment: Payment) -> Decimal:
    """What the buyer still owed once `payment` was counted (completed payments up to it, in order)."""
    upto = (payment.paid_at, payment.id)
    counted = sum(
        (
            p.amount_in_contract_currency
            for p in history
            if p.status == PaymentStatus.COMPLETED and (p.paid_at, p.id) <= upto
        ),
        Decimal(0),
    )
    return max(contract.total - counted, Decimal(0))


def default_payment(contract: Contract, today: date) -> dict[str, Any]:
    """The record form's first values: today, by transfer, in the contract's currency."""
    down_open = any(i.kind == InstalmentKind.DOWN_PAYMENT and i.paid < i.amount for i in contract.schedule)
    kind = PaymentType.INITIAL if down_open else PaymentType.INSTALLMENT
    return {
        "contract_id": contract.id,
        "amount": "",
        "paid_at": today.isoformat(),
        "method": "transfer",
        "type": kind.value,
        "currency": contract.currency.value,
        "rate": "",
        "note": "",
    }


def statement_page(
    request: Request,
    db: Session,
    user: User,
    contract_id: Id,
    *,
    status_code: int = 200,
    values: dict | None = None,
    errors: dict | None = None,
    **extra: Any,
) -> Response:
    """A contract's statement: schedule with its state, totals, payments and the record form."""
    contract = contracts.get(db, user, contract_id)
    received, history = payments.statement_parts(db, contract.id)
    today = clock.today()
    balance = balance_of(contract, received, today)
    schedule = instalment_states(contract.schedule, today)
    values = values or default_payment(contract, today)
    try:
        rate_day = date.fromisoformat(str(values.get("paid_at", "")))
    except ValueError:
        rate_day = today
    upcoming = next((s for s in schedule if s.remaining > 0), None)
    context = {
        "contract": contract,
        "balance": balance,
        "schedule": schedule,
        "history": history,
        "names": users.names(db, (p.created_by_id for p in history)),
        "today": today,
        "upcoming": upcoming,
        "values": values,
        "errors": errors or {},
        "key": values.get("idempotency_key") or secrets.token_urlsafe(16),
        "table_rate": rates.on(db, rate_day),
        "rate_day": rate_day,
        "cancel_for": None,
        "cancel_values": {},
        "cancel_errors": {},
        "just_paid": None,
        "just_cancelled": None,
        "method_options": [(k, gettext(v)) for k, v in PAYMENT_METHOD_LABELS.items()],
        "type_options": [(k, gettext(v)) for k, v in PAYMENT_TYPE_LABELS.items()],
        **extra,
    }
    return page_of(request, "features/payments/statement.html", context, status_code=status_code)


@router.get("/contracts/{contract_id:int}/statement")
def statement(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    contract_id: Id,
    paid: Int | None = None,
    cancelled: Int | None = None,
) -> Response:
    """A contract's schedule (due, paid, remaining, days overdue), its payments and the record form."""
    return statement_page(request, db, user, contract_id, just_paid=paid, just_cancelled=cancelled)


@router.post("/payments", dependencies=[Depends(require(P.PAYMENTS_RECORD))])
def record_payment(request: Request, form: PostedForm, db: DbSession, user: CurrentUser) -> Response:
    """Record a payment from the statement's form; the statement again with errors (nothing saved)."""
    values = {k: v for k, v in form.items() if k != "csrf_token"}
    contract_id = optional_int(values.get("contract_id"))
    if contract_id is None:
        raise Invalid("Choose a contract.", field="contract_id")
    key = str(values.get("idempotency_key", ""))[:80]
    data = clean_numbers(values, ("amount", "rate"), unset=("amount", "rate", "currency"))
    data.pop("idempotency_key", None)
    done, _, errors = submit_values(
        db, PaymentCreate, data, lambda d: payments.record(db, user, d, f"form-{key}" if key else None)
    )
    if not errors:
        payment, _replayed = done
        return see_other(f"{FINANCE_BASE}/contracts/{payment.contract_id}/statement?paid={payment.id}")
    return statement_page(request, db, user, contract_id, status_code=422, values=values, errors=errors)


@router.post("/payments/{payment_id:int}/cancel", dependencies=[Depends(require(P.PAYMENTS_CANCEL))])
def cancel_payment(request: Request, form: PostedForm, db: DbSession, user: CurrentUser, payment_id: Id) -> Response:
    """Cancel a payment with a reason; the statement again with the error next to the reason otherwise."""
    payment = payments.get(db, user, payment_id)
    contract_id = payment.contract_id
    values = {"reason": " ".join(str(form.get("reason", "")).split())}
    _, _, errors = submit_values(db, PaymentCancel, values, lambda d: payments.cancel(db, user, payment_id, d.reason))
    if not errors:
        return see_other(f"{FINANCE_BASE}/contracts/{contract_id}/statement?cancelled={payment_id}")
    return statement_page(
        request,
        db,
        user,
        contract_id,
        status_code=422,
        cancel_for=payment_id,
        cancel_values=values,
        cancel_errors=errors,
    )


@router.get("/payments/{payment_id:int}/receipt")
def receipt(request: Request, db: DbSession, user: CurrentUser, payment_id: Id) -> Response:
    """A printable receipt of one payment with the debt left after it."""
    payment = payments.get(db, user, payment_id)
    contract = contracts.get(db, user, payment.contract_id)
    _, history = payments.statement_parts(db, contract.id)
    context = {
        "payment": payment,
        "contract": contract,
        "remaining": remaining_after(contract, history, payment),
        "recorded_by": users.names(db, [payment.created_by_id]).get(payment.created_by_id, ""),
    }
    return page_of(request, "features/payments/receipt.html", context)


def payment_scope(db: Session, user: User, f: PaymentView) -> tuple[PaymentFilter, Contract | None, str]:
    """The filter with the typed contract resolved: (filter, contract, problem); a problem means no rows."""
    if not f.contract.strip():
        return f, None, ""
    text = f.contract.strip()
    found = contracts.page(db, user, ContractFilter(q=text, page_size=10)).items
    exact = [c for c in found if c.number == text]
    if exact or len(found) == 1:
        chosen = (exact or found)[0]
        return f.model_copy(update={"contract_id": chosen.id}), chosen, ""
    if found:
        return f, None, gettext("Several contracts match: type the whole number.")
    return f, None, gettext("No contract matches “%(text)s”.", text=text)


@router.get("/payments")
def payments_page(request: Request, db: DbSession, user: CurrentUser, f: Annotated[PaymentView, Query()]) -> Response:
    """Every payment, newest first; filters by dates, status and contract; paging and export."""
    scope, chosen, problem = payment_scope(db, user, f)
    page = Page(items=[], total=0, page=f.page, page_size=f.page_size) if problem else payments.page(db, user, scope)
    context = {
        "page": page,
        "f": f,
        "problem": problem,
        "chosen": chosen,
        "owners": contracts_of(db, user, (p.contract_id for p in page.items)),
        "names": users.names(db, (p.created_by_id for p in page.items)),
        "statuses": [s.value for s in PaymentStatus],
    }
    return page_of(request, "features/payments/list.html", context, block="results")


@router.get("/payments/export")
def payments_file(
    db: DbSession, user: CurrentUser, f: Annotated[PaymentView, Query()], format: ExportFormat = "csv"
) -> Response:
    """The payments under the list's filters as CSV or XLSX."""
    scope, _, problem = payment_scope(db, user, f)
    return payments_export(db, user, scope, format, none=bool(problem))

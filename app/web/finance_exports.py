"""CSV/XLSX exports of the finance lists, and the lookups their rows need, shared by the finance pages and
their JSON twins. Each export pages through the same report function the list calls, so a file always holds
what the list shows under the same filters."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import TypeVar

from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.auth.crud import users
from app.auth.models import User
from app.core.paging import MAX_PAGE_SIZE, Page
from app.domain.contracts.crud import contracts
from app.domain.contracts.models import Contract
from app.domain.contracts.schemas import ContractFilter
from app.domain.finance.crud import payments
from app.domain.finance.models import Payment
from app.domain.finance.reports import contract_balances, debts
from app.domain.finance.schemas import CashflowMonth, DebtFilter, PaymentFilter
from app.domain.inventory.models import Currency
from app.web.export import export_response

T = TypeVar("T")

BALANCE_HEADERS = ["number", "buyer", "currency", "total", "paid", "remaining", "overdue", "days_overdue", "credit"]
DEBT_HEADERS = [
    "number",
    "buyer",
    "complex",
    "building",
    "apartment",
    "salesperson",
    "currency",
    "total",
    "paid",
    "remaining",
    "overdue",
    "days_overdue",
    "bucket",
]
PAYMENT_HEADERS = [
    "id",
    "paid_at",
    "contract",
    "buyer",
    "amount",
    "currency",
    "rate",
    "amount_in_contract_currency",
    "contract_currency",
    "method",
    "type",
    "status",
    "note",
    "recorded_by",
    "created_at",
    "cancelled_at",
    "cancel_reason",
]
CASHFLOW_HEADERS = ["month", "currency", "plan", "fact", "difference"]


def every_item(fetch: Callable[[int], Page[T]]) -> Iterator[T]:
    """Every item of a paged report, page after page of the largest size."""
    number = 1
    while True:
        page = fetch(number)
        yield from page.items
        if number >= page.pages or not page.items:
            return
        number += 1


def chunks(items: Iterable[T], size: int = MAX_PAGE_SIZE) -> Iterator[list[T]]:
    """`items` in lists of at most `size`."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def contracts_of(db: Session, actor: User, contract_ids: Iterable[int]) -> dict[int, Contract]:
    """The visible contracts of these ids (one query, row-scoped by the contracts CRUD)."""
    ids = set(contract_ids)
    if not ids:
        return {}
    return {c.id: c for c in db.scalars(contracts.visible(actor).where(Contract.id.in_(ids)))}


def balances_export(db: Session, actor: User, f: ContractFilter, today: date, fmt: str) -> Response:
    """Contract balances under the list's filters, as a file."""

    def fetch(number: int):
        return contract_balances(db, actor, f.model_copy(update={"page": number, "page_size": MAX_PAGE_SIZE}), today)

    rows = (
        (b.number, b.buyer, b.currency.value, b.total, b.paid, b.remaining, b.overdue, b.days_overdue, b.credit)
        for b in every_item(fetch)
    )
    return export_response(fmt, "balances", BALANCE_HEADERS, rows)


def debts_export(db: Session, actor: User, f: DebtFilter, today: date, fmt: str) -> Response:
    """Overdue contracts under the list's filters, as a file."""

    def fetch(number: int):
        return debts(db, actor, f.model_copy(update={"page": number, "page_size": MAX_PAGE_SIZE}), today)

    rows = (
        (
            d.number,
            d.buyer,
            d.complex_name,
            d.building_name,
            d.apartment_number,
            d.salesperson,
            d.currency.value,
            d.total,
            d.paid,
            d.remaining,
            d.overdue,
            d.days_overdue,
            d.bucket,
        )
        for d in every_item(fetch)
    )
    return export_response(fmt, "debts", DEBT_HEADERS, rows)


def payment_rows(db: Session, actor: User, items: list[Payment]) -> Iterator[tuple]:
    """Export rows of some payments, their contracts and recorders looked up once."""
    owners = contracts_of(db, actor, (p.contract_id for p in items))
    names = users.names(db, (p.created_by_id for p in items))
    for p in items:
        contract = owners.get(p.contract_id)
        yield (
            p.id,
            p.paid_at,
            contract.number if contract else "",
            contract.buyer_full_name if contract else "",
            p.amount,
            p.currency.value,
            p.rate,
            p.amount_in_contract_currency,
            contract.currency.value if contract else "",
            p.method.value,
            p.type.value,
            p.status.value,
            p.note,
            names.get(p.created_by_id, ""),
            p.created_at,
            p.cancelled_at,
            p.cancel_reason,
        )


def payments_export(db: Session, actor: User, f: PaymentFilter, fmt: str, none: bool = False) -> Response:
    """Payments under the list's filters, as a file (`none`: the filter matched no contract)."""

    def fetch(number: int):
        return payments.page(db, actor, f.model_copy(update={"page": number, "page_size": MAX_PAGE_SIZE}))

    found = iter(()) if none else every_item(fetch)
    rows = (row for batch in chunks(found) for row in payment_rows(db, actor, batch))
    return export_response(fmt, "payments", PAYMENT_HEADERS, rows)


def cashflow_export(months: list[CashflowMonth], currency: Currency, fmt: str) -> Response:
    """Plan vs fact per month, with a total row, as a file."""
    plan = sum((m.plan for m in months), Decimal(0))
    fact = sum((m.fact for m in months), Decimal(0))
    rows = [(m.month, currency.value, m.plan, m.fact, m.difference) for m in months]
    rows.append(("total", currency.value, plan, fact, fact - plan))
    return export_response(fmt, "cashflow", CASHFLOW_HEADERS, rows)

"""Finance reports: contract balances, debts with ageing buckets, cash-flow plan vs fact."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.auth.models import User
from app.auth.permissions import P, can
from app.core.errors import Forbidden, Invalid
from app.core.paging import Page
from app.domain.contracts.crud import contracts
from app.domain.contracts.models import Contract, ContractStatus, Instalment
from app.domain.contracts.schemas import ContractFilter
from app.domain.finance.crud import balance_of, payments
from app.domain.finance.models import Payment, PaymentStatus
from app.domain.finance.rates import convert, rates
from app.domain.finance.schemas import CashflowMonth, ContractBalance, DebtFilter, DebtRow
from app.domain.inventory.models import Apartment, Building, Currency

BUCKETS = (("1-30", 1, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("90+", 91, None))
MAX_MONTHS = 120


def bucket_of(days: int) -> str:
    """The ageing bucket of a debt `days` overdue."""
    for name, low, high in BUCKETS:
        if days >= low and (high is None or days <= high):
            return name
    return ""


def _allowed(actor: User) -> None:
    if not can(actor, P.REPORTS_READ):
        raise Forbidden("You do not have access to finance reports.")


def contract_balances(db: Session, actor: User, f: ContractFilter, today: date) -> Page[ContractBalance]:
    """One page of visible contracts with paid, remaining, overdue and credit."""
    page = contracts.page(db, actor, f)
    received = payments.received_by_contract(db, [c.id for c in page.items])
    items = [balance_of(c, received.get(c.id, Decimal(0)), today) for c in page.items]
    return Page(items=items, total=page.total, page=page.page, page_size=page.page_size)


def debts(db: Session, actor: User, f: DebtFilter, today: date) -> Page[DebtRow]:
    """Active contracts with overdue money, the most overdue first, by ageing bucket and filters."""
    _allowed(actor)
    overdue = (
        select(Instalment.contract_id, func.min(Instalment.due_date).label("oldest"))
        .where(Instalment.due_date < today, Instalment.paid < Instalment.amount)
        .group_by(Instalment.contract_id)
        .subquery()
    )
    q = (
        select(Contract, overdue.c.oldest)
        .join(overdue, overdue.c.contract_id == Contract.id)
        .join(Apartment, Apartment.id == Contract.apartment_id)
        .join(Building, Building.id == Apartment.building_id)
        .where(Contract.status == ContractStatus.ACTIVE)
    )
    if f.complex_id:
        q = q.where(Building.complex_id == f.complex_id)
    if f.building_id:
        q = q.where(Building.id == f.building_id)
    if f.salesperson_id:
        q = q.where(Contract.salesperson_id == f.salesperson_id)
    if f.bucket:
        low, high = next((lo, hi) for name, lo, hi in BUCKETS if name == f.bucket)
        q = q.where(overdue.c.oldest <= date.fromordinal(today.toordinal() - low))
        if high is not None:
            q = q.where(overdue.c.oldest >= date.fromordinal(today.toordinal() - high))
    total = db.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = (
        db.execute(
            q.options(
                selectinload(Contract.schedule),
                joinedload(Contract.salesperson),
                joinedload(Contract.apartment).joinedload(Apartment.building).joinedload(Building.complex),
            )
            .order_by(overdue.c.oldest, Contract.id)
            .limit(f.page_size)
            .offset((f.page - 1) * f.page_size)
        )
        .unique()
        .all()
    )
    received = payments.received_by_contract(db, [c.id for c, _ in rows])
    items = []
    for contract, _oldest in rows:
        balance = balance_of(contract, received.get(contract.id, Decimal(0)), today)
        apartment = contract.apartment
        items.append(
            DebtRow(
                **balance.model_dump(),
                bucket=bucket_of(balance.days_overdue),
                complex_name=apartment.building.complex.name,
                building_name=apartment.building.name,
                apartment_number=apartment.number,
                salesperson=contract.salesperson.display_name if contract.salesperson else "",
            )
        )
    return Page(items=items, total=total, page=f.page, page_size=f.page_size)


def overdue_days_by_apartment(db: Session, apartment_ids: list[int], today: date) -> dict[int, int]:
    """For sold apartments whose active contract is overdue: days since the oldest unpaid due date."""
    if not apartment_ids:
        return {}
    rows = db.execute(
        select(Contract.apartment_id, func.min(Instalment.due_date))
        .join(Instalment, Instalment.contract_id == Contract.id)
        .where(
            Contract.apartment_id.in_(apartment_ids),
            Contract.status == ContractStatus.ACTIVE,
            Instalment.due_date < today,
            Instalment.paid < Instalment.amount,
        )
        .group_by(Contract.apartment_id)
    ).all()
    return {apartment_id: (today - oldest).days for apartment_id, oldest in rows}


def bucket_totals(db: Session, actor: User, today: date, currency: Currency) -> dict[str, Decimal]:
    """Overdue money per ageing bucket, in `currency` at today's rate."""
    _allowed(actor)
    rows = db.execute(
        select(Contract.currency, Instalment.due_date, func.sum(Instalment.amount - Instalment.paid))
        .join(Contract, Contract.id == Instalment.contract_id)
        .where(
            Contract.status == ContractStatus.ACTIVE, Instalment.due_date < today, Instalment.paid < Instalment.amount
        )
        .group_by(Contract.currency, Instalment.due_date)
    ).all()
    rate = rates.on(db, today)
    totals = {name: Decimal(0) for name, _, _ in BUCKETS}
    for source, due, amount in rows:
        totals[bucket_of((today - due).days)] += _converted(Decimal(amount), source, currency, rate)
    return totals


def cashflow(db: Session, actor: User, start: date, end: date, currency: Currency) -> list[CashflowMonth]:
    """Plan (instalments due) vs fact (payments received) per month between `start` and `end`,
    in `currency`, each amount converted at the rate of its own date."""
    _allowed(actor)
    if end < start:
        raise Invalid("The end of the period is before its start.", field="date_to")
    if (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
        raise Invalid("Choose at most %(months)s months.", field="date_to", months=MAX_MONTHS)
    table = rates.table(db)
    plan: dict[str, Decimal] = defaultdict(Decimal)
    fact: dict[str, Decimal] = defaultdict(Decimal)
    planned = db.execute(
        select(Contract.currency, Instalment.due_date, func.sum(Instalment.amount))
        .join(Contract, Contract.id == Instalment.contract_id)
        .where(Contract.status == ContractStatus.ACTIVE, Instalment.due_date.between(start, end))
        .group_by(Contract.currency, Instalment.due_date)
    ).all()
    for source, day, amount in planned:
        plan[day.strftime("%Y-%m")] += _converted(Decimal(amount), source, currency, table.on(day))
    received = db.execute(
        select(Payment.currency, Payment.paid_at, func.sum(Payment.amount))
        .where(Payment.status == PaymentStatus.COMPLETED, Payment.paid_at.between(start, end))
        .group_by(Payment.currency, Payment.paid_at)
    ).all()
    for source, day, amount in received:
        fact[day.strftime("%Y-%m")] += _converted(Decimal(amount), source, currency, table.on(day))
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        key = f"{year:04d}-{month:02d}"
        months.append(CashflowMonth(month=key, plan=plan[key], fact=fact[key], difference=fact[key] - plan[key]))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _converted(amount: Decimal, source: Currency, target: Currency, rate: Decimal | None) -> Decimal:
    """Convert for a report; an amount with no known rate counts at zero rather than failing."""
    if source == target:
        return amount
    return convert(amount, source, target, rate) if rate else Decimal(0)

"""Payments against contract schedules: allocation oldest instalment first, credit for
over-payments, cancellation that re-allocates, idempotent retries; balances (days overdue from due dates).

A payment that leaves the contract fully paid raises its handover order (once per contract).

Allocation is derived from the completed payments: after any payment or cancellation the
contract's active allocations are reversed (kept, with reversed_at) and the completed payments
are applied again in order (paid_at, id). The contract row is locked first, so two payments on
one contract never allocate at the same time.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from app.auth.models import User
from app.auth.permissions import P, can
from app.core import clock
from app.core.errors import AppError, Conflict, Forbidden, Invalid, NotFound
from app.core.paging import Page, apply_sort, paginate
from app.domain.audit.crud import audit
from app.domain.contracts.models import Contract, ContractStatus, Instalment
from app.domain.dispatch.handovers import handovers
from app.domain.finance.models import Allocation, Payment, PaymentStatus
from app.domain.finance.rates import check_after_founding, convert, rates
from app.domain.finance.schemas import (
    ContractBalance,
    InstalmentState,
    PaymentCreate,
    PaymentFilter,
    PaymentRead,
)

PAYMENT_FIELDS = (
    "contract_id",
    "amount",
    "currency",
    "rate",
    "amount_in_contract_currency",
    "paid_at",
    "method",
    "type",
    "status",
)
ZERO = Decimal("0")


def snapshot(payment: Payment) -> dict:
    """The audited fields of a payment."""
    return {name: getattr(payment, name) for name in PAYMENT_FIELDS}


def request_hash(data: PaymentCreate) -> str:
    """A fingerprint of what was asked, to tell a retry from another request with the same key."""
    return hashlib.sha256(json.dumps(data.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()


def instalment_states(schedule: list[Instalment], today: date) -> list[InstalmentState]:
    """Each instalment with what remains and how many days it is overdue."""
    states = []
    for item in schedule:
        remaining = item.amount - item.paid
        late = (today - item.due_date).days if remaining > 0 and item.due_date < today else 0
        states.append(
            InstalmentState(
                seq=item.seq,
                kind=item.kind.value,
                due_date=item.due_date,
                amount=item.amount,
                paid=item.paid,
                remaining=remaining,
                days_overdue=late,
            )
        )
    return states


def balance_of(contract: Contract, received: Decimal, today: date) -> ContractBalance:
    """A contract's totals from its schedule and what was received (in its currency);
    a cancelled contract owes nothing any more, so nothing on it is overdue."""
    states = instalment_states(contract.schedule, today)
    paid = sum((s.paid for s in states), ZERO)
    owing = contract.status == ContractStatus.ACTIVE
    return ContractBalance(
        contract_id=contract.id,
        number=contract.number,
        buyer=contract.buyer_full_name,
        currency=contract.currency,
        total=contract.total,
        paid=paid,
        remaining=contract.total - paid,
        overdue=sum((s.remaining for s in states if s.days_overdue), ZERO) if owing else ZERO,
        days_overdue=max((s.days_overdue for s in states), default=0) if owing else 0,
        credit=max(received - paid, ZERO),
    )


class PaymentCRUD:
    """Payments: finance and admins record and cancel; MOP and ROP read; sales read their own clients'."""

    sort_columns = {"paid_at": Payment.paid_at, "amount": Payment.amount, "created_at": Payment.created_at}

    def visible(self, actor: User) -> Select:
        """Payments the actor may see."""
        q = select(Payment)
        if can(actor, P.PAYMENTS_READ_ALL):
            return q
        if can(actor, P.PAYMENTS_READ):
            return q.join(Contract, Contract.id == Payment.contract_id).where(Contract.salesperson_id == actor.id)
        raise Forbidden("You do not have access to payments.")

    def page(self, db: Session, actor: User, f: PaymentFilter) -> Page[Payment]:
        """One page of visible payments matching the filter."""
        q = self.visible(actor)
        if f.contract_id:
            q = q.where(Payment.contract_id == f.contract_id)
        if f.status:
            q = q.where(Payment.status == f.status)
        if f.date_from:
            q = q.where(Payment.paid_at >= f.date_from)
        if f.date_to:
            q = q.where(Payment.paid_at <= f.date_to)
        q = apply_sort(q, f.sort, self.sort_columns, "-paid_at").order_by(Payment.id.desc())
        return paginate(db, q, f.page, f.page_size)

    def for_contract(self, db: Session, actor: User, contract_id: int) -> list[Payment]:
        """A contract's payments the actor may see, newest first (one query)."""
        q = (
            self.visible(actor)
            .where(Payment.contract_id == contract_id)
            .order_by(Payment.paid_at.desc(), Payment.id.desc())
        )
        return list(db.scalars(q))

    def get(self, db: Session, actor: User, payment_id: int) -> Payment:
        """A visible payment with its contract, or NotFound."""
        q = self.visible(actor).where(Payment.id == payment_id).options(joinedload(Payment.contract))
        payment = db.scalar(q)
        if payment is None:
            raise NotFound("Payment not found.")
        return payment

    def record(
        self, db: Session, actor: User, data: PaymentCreate, idempotency_key: str | None = None
    ) -> tuple[Payment, bool]:
        """Record a payment and re-allocate the contract; returns (payment, replayed).

        With an idempotency key, a retry of the same request returns the first payment
        (replayed=True) instead of paying twice; the same key with other data is a Conflict.
        """
        if not can(actor, P.PAYMENTS_RECORD):
            raise Forbidden("Only finance records payments.")
        fingerprint = request_hash(data)
        if idempotency_key:
            earlier = self._by_key(db, idempotency_key)
            if earlier is not None:
                return self._replay(earlier, fingerprint)
        self._check_date(data)
        contract = self._locked_contract(db, data.contract_id)
        payment = self._build(db, actor, data, contract, idempotency_key, fingerprint)
        try:
            with db.begin_nested():
                db.add(payment)
                db.flush()
        except IntegrityError:  # the same key won a race a moment ago
            earlier = self._by_key(db, idempotency_key) if idempotency_key else None
            if earlier is None:
                raise
            return self._replay(earlier, fingerprint)
        self.reallocate(db, contract)
        audit.record(db, actor, "payment", payment.id, "create", None, snapshot(payment))
        if balance_of(contract, ZERO, clock.today()).remaining <= 0:  # fully paid: its handover, once
            handovers.on_paid(db, actor, contract)
        return payment, False

    def record_many(self, db: Session, actor: User, items: list[tuple[PaymentCreate, str]]) -> list[Payment | AppError]:
        """Record payments in bulk (an import), each with a new idempotency key: each checked as `record`
        checks one, each contract locked and re-allocated once, every payment audited; for each item its
        payment, or the error that refused it (the others are recorded all the same)."""
        if not can(actor, P.PAYMENTS_RECORD):
            raise Forbidden("Only finance records payments.")
        results: list[Payment | AppError | None] = [None] * len(items)
        by_contract: dict[int, list[int]] = {}
        for index, (data, _key) in enumerate(items):
            by_contract.setdefault(data.contract_id, []).append(index)
        for contract_id, indexes in by_contract.items():
            try:
                contract = self._locked_contract(db, contract_id)
            except AppError as exc:
                for index in indexes:
                    results[index] = exc
                continue
            made: list[Payment] = []
            for index in indexes:
                data, key = items[index]
                try:
                    self._check_date(data)
                    results[index] = self._build(db, actor, data, contract, key, request_hash(data))
                except AppError as exc:
                    results[index] = exc
                    continue
                made.append(results[index])
            if made:
                db.add_all(made)
                db.flush()
                self.reallocate(db, contract)
                audit.record_many(db, actor, "payment", "create", [(p.id, None, snapshot(p)) for p in made])
        return [r for r in results if r is not None]

    @staticmethod
    def _check_date(data: PaymentCreate) -> None:
        """Refuse a payment dated in the future or before the company was founded."""
        if data.paid_at > clock.today():
            raise Invalid("A payment cannot be dated in the future.", field="paid_at")
        check_after_founding(data.paid_at, "paid_at")

    @staticmethod
    def _build(
        db: Session, actor: User, data: PaymentCreate, contract: Contract, key: str | None, fingerprint: str
    ) -> Payment:
        """The payment asked for, in its currency and the contract's (Invalid without a needed rate)."""
        currency = data.currency or contract.currency
        rate = None
        if currency != contract.currency:
            rate = data.rate or rates.on(db, data.paid_at)
            if rate is None:
                raise Invalid(
                    "No exchange rate for %(day)s: enter the rate or add it to the rates table.",
                    field="rate",
                    day=data.paid_at.isoformat(),
                )
        return Payment(
            contract_id=contract.id,
            amount=data.amount,
            currency=currency,
            rate=rate,
            amount_in_contract_currency=convert(data.amount, currency, contract.currency, rate),
            paid_at=data.paid_at,
            method=data.method,
            type=data.type,
            note=data.note.strip(),
            idempotency_key=key,
            request_hash=fingerprint,
            created_by_id=actor.id,
        )

    def cancel_many(self, db: Session, actor: User, payment_ids: list[int], reason: str, release_key: bool) -> None:
        """Cancel payments in bulk (undoing an import) as `cancel` cancels one, re-allocating each contract
        once; Conflict when one is cancelled already. With `release_key` their idempotency keys are freed,
        so the same payments may be recorded again."""
        if not can(actor, P.PAYMENTS_CANCEL):
            raise Forbidden("Only finance cancels payments.")
        found = list(db.scalars(select(Payment).where(Payment.id.in_(payment_ids)).order_by(Payment.id)))
        if len(found) != len(set(payment_ids)):
            raise NotFound("Payment not found.")
        now, contract_ids = clock.now(), sorted({p.contract_id for p in found})
        befores = {p.id: snapshot(p) for p in found}
        for payment in found:
            if payment.status == PaymentStatus.CANCELLED:
                raise Conflict("This payment is already cancelled.")
            payment.status, payment.cancelled_at, payment.cancel_reason = PaymentStatus.CANCELLED, now, reason
            if release_key:
                payment.idempotency_key = None
        db.flush()
        for contract_id in contract_ids:
            self.reallocate(db, self._locked_contract(db, contract_id, allow_cancelled=True))
        items = [(p.id, befores[p.id], {**snapshot(p), "reason": reason}) for p in found]
        audit.record_many(db, actor, "payment", "cancel", items)

    def cancel(self, db: Session, actor: User, payment_id: int, reason: str) -> Payment:
        """Cancel a payment (kept, never deleted) and re-allocate the contract without it."""
        if not can(actor, P.PAYMENTS_CANCEL):
            raise Forbidden("Only finance cancels payments.")
        payment = self.get(db, actor, payment_id)
        if payment.status == PaymentStatus.CANCELLED:
            raise Conflict("This payment is already cancelled.")
        contract = self._locked_contract(db, payment.contract_id, allow_cancelled=True)
        before = snapshot(payment)
        payment.status, payment.cancelled_at, payment.cancel_reason = PaymentStatus.CANCELLED, clock.now(), reason
        db.flush()
        self.reallocate(db, contract)
        audit.record(db, actor, "payment", payment.id, "cancel", before, {**snapshot(payment), "reason": reason})
        return payment

    def reallocate(self, db: Session, contract: Contract) -> None:
        """Apply the contract's completed payments to its schedule, oldest instalment first."""
        now = clock.now()
        db.execute(
            update(Allocation)
            .where(Allocation.instalment_id.in_([i.id for i in contract.schedule]), Allocation.reversed_at.is_(None))
            .values(reversed_at=now)
            .execution_options(synchronize_session=False)
        )
        for item in contract.schedule:
            item.paid = ZERO
        payments = db.scalars(
            select(Payment)
            .where(Payment.contract_id == contract.id, Payment.status == PaymentStatus.COMPLETED)
            .order_by(Payment.paid_at, Payment.id)
        ).all()
        open_items = sorted(contract.schedule, key=lambda i: i.seq)
        for payment in payments:
            left = payment.amount_in_contract_currency
            for item in open_items:
                if left <= 0:
                    break
                take = min(item.amount - item.paid, left)
                if take <= 0:
                    continue
                item.paid += take
                left -= take
                db.add(Allocation(payment_id=payment.id, instalment_id=item.id, amount=take))
        db.flush()

    def statement_parts(self, db: Session, contract_id: int) -> tuple[Decimal, list[Payment]]:
        """(received in the contract's currency, every payment newest first) of a contract."""
        payments = list(
            db.scalars(
                select(Payment)
                .where(Payment.contract_id == contract_id)
                .order_by(Payment.paid_at.desc(), Payment.id.desc())
            )
        )
        received = sum((p.amount_in_contract_currency for p in payments if p.status == PaymentStatus.COMPLETED), ZERO)
        return received, payments

    def received_by_contract(self, db: Session, contract_ids: list[int]) -> dict[int, Decimal]:
        """Completed payments per contract, in each contract's currency (one query)."""
        if not contract_ids:
            return {}
        rows = db.execute(
            select(Payment.contract_id, func.sum(Payment.amount_in_contract_currency))
            .where(Payment.contract_id.in_(contract_ids), Payment.status == PaymentStatus.COMPLETED)
            .group_by(Payment.contract_id)
        ).all()
        return {contract_id: Decimal(total or 0) for contract_id, total in rows}

    def _by_key(self, db: Session, key: str) -> Payment | None:
        return db.scalar(select(Payment).where(Payment.idempotency_key == key))

    @staticmethod
    def _replay(earlier: Payment, fingerprint: str) -> tuple[Payment, bool]:
        if earlier.request_hash != fingerprint:
            raise Conflict("This Idempotency-Key was already used for a different payment.")
        return earlier, True

    @staticmethod
    def _locked_contract(db: Session, contract_id: int, allow_cancelled: bool = False) -> Contract:
        """The contract with its schedule, its row locked for this transaction (PostgreSQL)."""
        q = (
            select(Contract)
            .where(Contract.id == contract_id)
            .options(selectinload(Contract.schedule))
            .with_for_update(of=Contract)
        )
        contract = db.scalar(q)
        if contract is None:
            raise NotFound("Contract not found.")
        if contract.status != ContractStatus.ACTIVE and not allow_cancelled:
            raise Conflict("The contract is cancelled: no payments can be recorded on it.")
        return contract


payments = PaymentCRUD()

__all__ = ["PaymentRead", "balance_of", "instalment_states", "payments"]

"""Payments from a file: contract number + date + amount + method (+ an optional external id).

A payment is known by its external id, or else by (contract, date, amount, method); a known one is
unchanged, so the same file twice creates nothing. New ones go through the finance payment CRUD
(`payments.record`, with an idempotency key made of that identity), so allocation to the schedule,
balances and the audit run as for a payment entered on the finance page. Each chunk's contracts
and existing payments are fetched in one query each.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core import clock
from app.core.errors import AppError
from app.domain.audit.models import AuditEntry
from app.domain.contracts.models import Contract, ContractStatus
from app.domain.finance.crud import payments, snapshot
from app.domain.finance.models import Payment, PaymentMethod, PaymentStatus
from app.domain.finance.schemas import PaymentCreate
from app.domain.imports import normalise as norm
from app.domain.imports.engine import (
    RowError,
    RowResult,
    _audit_rows,
    _cells,
    _parse,
    _positions,
    _reject,
    insert_rows,
    key_cells,
)
from app.domain.imports.mapping import N_
from app.domain.imports.models import ImportJob, Outcome
from settings import settings

KEY_PREFIX = "import:"
MAX_AMOUNT = Decimal("100000000000000")  # 10^14: the 16 digits of a payment amount
METHOD_WORDS = {
    PaymentMethod.CASH: ("cash", "наличные", "наличными", "нал", "наличка", "naqd", "naqd pul", "naqd pulda"),
    PaymentMethod.CARD: ("card", "карта", "картой", "карточка", "пластик", "karta", "plastik", "uzcard", "humo"),
    PaymentMethod.TRANSFER: (
        "transfer",
        "перечисление",
        "перевод",
        "банк",
        "банковский перевод",
        "безнал",
        "безналичный",
        "bank",
        "o'tkazma",
        "otkazma",
        "pul o'tkazmasi",
    ),
}
METHOD_OF = {word: method for method, words in METHOD_WORDS.items() for word in words}


def natural_key(contract_id: int, paid_at: date, amount: Decimal, method: PaymentMethod) -> str:
    """The idempotency key of a payment known by its contract, date, amount and method."""
    return f"{KEY_PREFIX}{contract_id}:{paid_at.isoformat()}:{amount}:{method.value}"


def external_key(external_id: str) -> str:
    """The idempotency key of a payment known by the external id a file gives it."""
    return f"{KEY_PREFIX}ext:{external_id}"[:100]


PAYMENT_KEY = ("contract", "date", "amount")


class PaymentImport:
    """Payments by external id or natural key: created through the finance CRUD, or unchanged, or rejected."""

    def __init__(self, db: Session, actor: User, job: ImportJob) -> None:
        self.db, self.actor, self.job = db, actor, job
        self.seen: set[str] = set()

    def parse(self, cells: dict[str, object]) -> dict[str, Any]:
        """The typed values of a row's cells; RowError for the first bad one."""
        for name in ("contract", "date", "amount", "method"):
            if name not in cells:
                raise RowError(name, N_("This cell is empty."))
        data: dict[str, Any] = {"contract": norm.text(cells["contract"]).upper()}
        data["paid_at"] = _parse("date", cells["date"], norm.day)
        if data["paid_at"] > clock.today():
            raise RowError("date", N_("The date is in the future."))
        if data["paid_at"] < settings.company_founded:
            raise RowError("date", N_("The date is before the company was founded."))
        amount = _parse("amount", cells["amount"], norm.money)
        if amount <= 0:
            raise RowError("amount", N_("The amount must be above zero."))
        if amount >= MAX_AMOUNT:
            raise RowError("amount", N_("The amount is too large."))
        data["amount"] = amount
        method = METHOD_OF.get(norm.text(cells["method"]).lower())
        if method is None:
            raise RowError("method", N_("Unknown payment method (cash, card or transfer)."))
        data["method"] = method
        data["external_id"] = norm.text(cells.get("external_id"))[:80]
        return data

    def chunk(
        self, rows: list[tuple[int, list[object]]], headers: list[str], mapping: dict[str, str]
    ) -> list[RowResult]:
        """Decide one chunk of rows and record its new payments."""
        positions = _positions(headers, mapping)
        parsed: list[tuple[int, list[object], dict[str, Any] | None, RowResult | None]] = []
        for line, row in rows:
            cells = _cells(positions, row)
            try:
                parsed.append((line, row, self.parse(cells), None))
            except RowError as exc:
                parsed.append((line, row, None, _reject(line, row, exc, key_cells(cells, PAYMENT_KEY))))
        wanted = [d for _, _, d, _ in parsed if d is not None]
        contracts = self._contracts({d["contract"] for d in wanted})
        known = self._known(contracts, wanted)
        results: list[RowResult] = []
        pending: list[tuple[int, list[object], dict[str, Any], PaymentCreate, str]] = []
        for line, row, data, rejected in parsed:
            if rejected is not None:
                results.append(rejected)
                continue
            try:
                decided = self._row(line, data, contracts, known)
            except RowError as exc:
                results.append(_reject(line, row, exc, _key_text(data)))
                continue
            if isinstance(decided, RowResult):
                results.append(decided)
            else:
                results.append(RowResult(line, Outcome.CREATE, _key_text(data)))
                pending.append((len(results) - 1, row, data, *decided))
        self._record(pending, results)
        return results

    def _record(
        self, pending: list[tuple[int, list[object], dict[str, Any], PaymentCreate, str]], results: list[RowResult]
    ) -> None:
        """Record the chunk's new payments through the finance CRUD (each contract re-allocated once) and
        audit them as the import's; a payment the finance rules refuse turns its row into a rejection."""
        if not pending:
            return
        made = payments.record_many(self.db, self.actor, [(request, key) for *_, request, key in pending])
        audits: list[tuple[int, dict | None, dict]] = []
        for (index, row, data, _request, key), payment in zip(pending, made, strict=True):
            if isinstance(payment, AppError):
                error = RowError("date" if payment.field == "paid_at" else "contract", payment.message)
                results[index] = _reject(results[index].line, row, error, _key_text(data))
            else:
                audits.append((payment.id, None, {**snapshot(payment), "idempotency_key": key}))
        if audits:
            insert_rows(self.db, AuditEntry, _audit_rows(self.actor, self.job, "payment", audits))

    def _row(
        self, line: int, data: dict[str, Any], contracts: dict[str, tuple[int, ContractStatus]], known: dict
    ) -> RowResult | tuple[PaymentCreate, str]:
        """One parsed row: unchanged when its payment is known, else the payment to record and its key."""
        if data["contract"] not in contracts:
            raise RowError("contract", N_("Unknown contract."))
        contract_id, status = contracts[data["contract"]]
        natural = natural_key(contract_id, data["paid_at"], data["amount"], data["method"])
        key = external_key(data["external_id"]) if data["external_id"] else natural
        if key in self.seen or natural in self.seen:
            raise RowError("contract", N_("The same payment is already in an earlier row of the file."))
        self.seen.update((key, natural))
        found = known.get(key) or known.get(natural)
        if found is not None:
            if found[1] != natural:
                raise RowError("external_id", N_("This external id belongs to another payment."))
            return RowResult(line, Outcome.UNCHANGED, _key_text(data))
        if status != ContractStatus.ACTIVE:
            raise RowError("contract", N_("The contract is cancelled."))
        try:
            request = PaymentCreate(
                contract_id=contract_id, amount=data["amount"], paid_at=data["paid_at"], method=data["method"]
            )
        except ValidationError as exc:
            raise RowError("amount", N_("The amount is too large.")) from exc
        return request, key

    def _contracts(self, numbers: set[str]) -> dict[str, tuple[int, ContractStatus]]:
        """{number: (id, status)} of the contracts the chunk names (one query)."""
        if not numbers:
            return {}
        q = select(Contract.number, Contract.id, Contract.status).where(Contract.number.in_(numbers))
        return {number.upper(): (i, status) for number, i, status in self.db.execute(q)}

    def _known(
        self, contracts: dict[str, tuple[int, ContractStatus]], wanted: list[dict]
    ) -> dict[str, tuple[int, str]]:
        """{key: (payment id, natural key)} of the completed payments the chunk may repeat (one query)."""
        ids = {c[0] for c in contracts.values()}
        externals = [external_key(d["external_id"]) for d in wanted if d["external_id"]]
        if not ids and not externals:
            return {}
        columns = (Payment.id, Payment.contract_id, Payment.paid_at, Payment.amount, Payment.method)
        same_day = and_(Payment.contract_id.in_(ids), Payment.paid_at.in_({d["paid_at"] for d in wanted}))
        q = select(*columns, Payment.idempotency_key).where(
            Payment.status != PaymentStatus.CANCELLED, or_(same_day, Payment.idempotency_key.in_(externals))
        )
        known: dict[str, tuple[int, str]] = {}
        for pid, contract_id, paid_at, amount, method, key in self.db.execute(q):
            natural = natural_key(contract_id, paid_at, Decimal(amount).quantize(norm.CENT), PaymentMethod(method))
            known.setdefault(natural, (pid, natural))
            if key:
                known[key] = (pid, natural)
        return known

    def finish(self) -> None:
        """Nothing to do after the last chunk (the finance CRUD allocated each payment)."""


def _key_text(data: dict[str, Any]) -> str:
    return f"{data['contract']} / {data['paid_at']:%d.%m.%Y} / {data['amount']}"

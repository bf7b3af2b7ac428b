"""Undoing an applied import: allowed while nothing it touched has changed since.

What an import did is read back from its audit entries (action `import`, `import_id` in the
after-snapshot). Each touched row's current state is compared with that after-snapshot, and the
audit log is searched for any later change of it (the automatic assignment of a new lead aside);
created leads and apartments must have no activity (comments, bookings, contracts, work orders).
Then created apartments and leads are deleted, created payments cancelled through the finance
CRUD (payments are never deleted), updated fields restored, and each step audited (action `undo`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Column, delete, func, select, update
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core import clock
from app.core.errors import Conflict
from app.domain.audit.models import AuditEntry
from app.domain.bookings.models import Booking
from app.domain.contracts.models import Contract
from app.domain.dispatch.models import WorkOrder
from app.domain.finance.crud import payments
from app.domain.finance.models import Payment
from app.domain.imports.engine import _audit_rows, _flat, insert_rows
from app.domain.imports.mapping import N_
from app.domain.imports.models import ImportJob
from app.domain.inventory.crud import bump_inventory
from app.domain.inventory.models import Apartment, Building
from app.domain.leads.models import Lead, LeadComment, LeadStatusChange, LeadTouch, lead_search_key

BATCH = 1000
REFUSED = N_("The import cannot be undone: rows changed since: %(rows)s.")
AUTOMATIC = ("auto_assign",)  # later entries that are not a person's change
MODELS: dict[str, tuple[type, tuple[str, ...], str]] = {  # entity -> (model, compared fields, label column)
    "apartment": (
        Apartment,
        ("number", "floor", "section", "rooms", "area", "price_per_m2", "total_price", "status"),
        "number",
    ),
    "lead": (Lead, ("name", "phone", "status", "complex_id", "assigned_id"), "phone"),
    "payment": (Payment, ("contract_id", "amount", "paid_at", "method", "status"), "amount"),
}


class UndoRefused(Conflict):
    """The import cannot be undone: the rows listed changed since (each {entity, id, key, reason})."""

    def __init__(self, changed: list[dict[str, Any]]) -> None:
        keys = ", ".join(str(c["key"]) for c in changed[:10]) + (" …" if len(changed) > 10 else "")
        super().__init__(REFUSED, rows=keys)
        self.changed = changed


@dataclass
class Touched:
    """One row the import touched: its audit entry's before (None: created) and after."""

    entity: str
    entity_id: int
    before: dict[str, Any] | None
    after: dict[str, Any]


def _batches(ids: Iterable[int]) -> Iterator[list[int]]:
    items = list(ids)
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def touched(db: Session, job: ImportJob) -> tuple[list[Touched], int]:
    """The rows the import created or changed, from its audit entries, and the last entry's id."""
    q = (
        select(AuditEntry.id, AuditEntry.entity, AuditEntry.entity_id, AuditEntry.before, AuditEntry.after)
        .where(
            AuditEntry.action == "import",
            AuditEntry.at >= job.created_at,
            AuditEntry.after["import_id"].as_integer() == job.id,
        )
        .order_by(AuditEntry.id)
    )
    rows, last = [], 0
    for entry_id, entity, entity_id, before, after in db.execute(q):
        last = max(last, entry_id)
        if entity in MODELS:
            after = {k: v for k, v in (after or {}).items() if k != "import_id"}
            rows.append(Touched(entity, int(entity_id), before, after))
    return rows, last


def _current(db: Session, entity: str, ids: list[int]) -> dict[int, dict[str, Any]]:
    """{id: compared fields as JSON-safe values} of the rows that still exist."""
    model, fields, _label = MODELS[entity]
    out: dict[int, dict[str, Any]] = {}
    for batch in _batches(ids):
        q = select(model.id, *(getattr(model, f) for f in fields)).where(model.id.in_(batch))
        for row in db.execute(q):
            out[row[0]] = _flat(dict(zip(fields, row[1:], strict=True)))
    return out


def _later_changes(db: Session, entity: str, ids: list[int], after_id: int) -> set[int]:
    """The rows with an audit entry after the import's own (automatic assignments aside)."""
    found: set[int] = set()
    for batch in _batches(ids):
        q = select(AuditEntry.entity_id).where(
            AuditEntry.id > after_id,
            AuditEntry.entity == entity,
            AuditEntry.entity_id.in_([str(i) for i in batch]),
            AuditEntry.action.not_in(AUTOMATIC),
        )
        found.update(int(i) for i in db.scalars(q))
    return found


def _with_activity(db: Session, entity: str, ids: list[int]) -> set[int]:
    """Created leads or apartments something else now refers to (comments, bookings, contracts, ...)."""
    if entity == "lead":
        checks = [(LeadComment.lead_id, None), (LeadTouch.lead_id, None), (Booking.lead_id, None)]
        checks += [(Contract.lead_id, None), (LeadStatusChange.lead_id, 1)]
    elif entity == "apartment":
        checks = [(Booking.apartment_id, None), (Contract.apartment_id, None), (WorkOrder.apartment_id, None)]
    else:
        return set()
    found: set[int] = set()
    for batch in _batches(ids):
        for column, allowed in checks:
            q = select(column).where(column.in_(batch)).group_by(column)
            if allowed is not None:
                q = q.having(func.count() > allowed)
            found.update(db.scalars(q))
    return found


def check(db: Session, rows: list[Touched], last_entry: int) -> dict[int, dict[str, Any]]:
    """The current state of every touched row, keyed by (entity, id); UndoRefused listing the changed ones."""
    state: dict[tuple[str, int], dict[str, Any]] = {}
    changed: list[dict[str, Any]] = []
    for entity in MODELS:
        mine = [t for t in rows if t.entity == entity]
        ids = [t.entity_id for t in mine]
        if not ids:
            continue
        current = _current(db, entity, ids)
        later = _later_changes(db, entity, ids, last_entry)
        busy = _with_activity(db, entity, [t.entity_id for t in mine if t.before is None])
        label = MODELS[entity][2]
        for t in mine:
            now = current.get(t.entity_id)
            key = (now or t.after).get(label, t.entity_id)
            reason = _why_changed(t, now, t.entity_id in later, t.entity_id in busy)
            if reason:
                changed.append({"entity": entity, "id": t.entity_id, "key": key, "reason": reason})
            else:
                state[(entity, t.entity_id)] = now
    if changed:
        raise UndoRefused(changed)
    return state


def _why_changed(t: Touched, now: dict[str, Any] | None, later: bool, busy: bool) -> str:
    """'' when the row is as the import left it, else why not."""
    if now is None:
        return "deleted"
    if busy:
        return "activity"
    if later:
        return "changed"
    for name, value in t.after.items():
        if name not in now or (name == "assigned_id" and t.before is None and value is None):
            continue  # not compared, or a new lead given out automatically
        if now[name] != value:
            return "changed"
    return ""


def _typed(column: Column, value: Any) -> Any:
    """A JSON snapshot value as the column's Python type."""
    if value is None:
        return None
    kind = column.type.python_type
    if kind is Decimal:
        return Decimal(str(value))
    if kind is date:
        return date.fromisoformat(value)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(value)
    return value


def revert(db: Session, actor: User, job: ImportJob, rows: list[Touched], state: dict) -> dict[str, int]:
    """Delete what the import created, cancel its payments, restore what it updated; audited; counts."""
    counts = {"deleted": 0, "cancelled": 0, "restored": 0}
    audits: dict[str, list[tuple[int, dict | None, dict]]] = {entity: [] for entity in MODELS}
    complexes = _complexes(db, [t.entity_id for t in rows if t.entity == "apartment"])
    reason = f"Import {job.id} undone"
    for entity in MODELS:
        model = MODELS[entity][0]
        mine = [t for t in rows if t.entity == entity]
        created = [t.entity_id for t in mine if t.before is None]
        if entity == "payment":
            if created:
                payments.cancel_many(db, actor, created, reason, release_key=True)
            counts["cancelled"] += len(created)
        elif created:
            for batch in _batches(created):
                db.execute(delete(model).where(model.id.in_(batch)).execution_options(synchronize_session=False))
            counts["deleted"] += len(created)
        audits[entity] += [(i, state[(entity, i)], {"undone": True}) for i in created]
        restores = [_restore(model, t, state[(entity, t.entity_id)]) for t in mine if t.before is not None]
        if restores:
            db.execute(update(model), restores)  # one executemany by primary key
        audits[entity] += [(t.entity_id, dict(t.after), dict(t.before)) for t in mine if t.before is not None]
        counts["restored"] += len(restores)
    for entity, items in audits.items():
        if items:
            rows_ = _audit_rows(actor, job, entity, items)
            insert_rows(db, AuditEntry, [{**r, "action": "undo"} for r in rows_])
    bump_inventory(db, complexes)
    db.flush()
    return counts


def _restore(model: type, t: Touched, now: dict[str, Any]) -> dict[str, Any]:
    """The primary key and the before-values of an updated row, typed for its columns."""
    columns = model.__table__.c
    values = {k: _typed(columns[k], v) for k, v in (t.before or {}).items() if k in columns}
    if model is Lead and "name" in values:
        values["search_key"] = lead_search_key(values["name"], now["phone"])
    if "updated_at" in columns:
        values["updated_at"] = clock.now()
    return {"id": t.entity_id, **values}


def _complexes(db: Session, apartment_ids: list[int]) -> set[int]:
    """The complexes of the apartments (their grids change)."""
    found: set[int] = set()
    for batch in _batches(apartment_ids):
        q = select(Building.complex_id).join(Apartment, Apartment.building_id == Building.id)
        found.update(db.scalars(q.where(Apartment.id.in_(batch)).distinct()))
    return found

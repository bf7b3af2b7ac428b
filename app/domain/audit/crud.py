"""Writing and reading the audit log."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, joinedload

from app.auth.models import User
from app.core import clock
from app.core.paging import Page, apply_sort, paginate
from app.db import insert_many
from app.domain.audit.models import AuditEntry
from app.domain.audit.schemas import ApartmentPlace, AuditFilter, AuditNames

# Snapshot fields holding the id of another row, by the kind of row they point to.
ID_FIELDS = {
    "user_id": "user",
    "assigned_id": "user",
    "salesperson_id": "user",
    "lead_id": "lead",
    "apartment_id": "apartment",
    "booking_id": "booking",
    "contract_id": "contract",
    "complex_id": "complex",
}


def _jsonable(value: Any) -> Any:
    """A JSON-safe copy of a snapshot value (Decimal, dates, enums)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _code(value: Any) -> str:
    """The plain string of an enum value (a currency code)."""
    return value.value if isinstance(value, Enum) else str(value)


class AuditCRUD:
    """Append entries in the caller's transaction; page through them for admins."""

    sort_columns = {"at": AuditEntry.at, "entity": AuditEntry.entity, "action": AuditEntry.action}

    def record(
        self,
        db: Session,
        actor: User | None,
        entity: str,
        entity_id: object,
        action: str,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> AuditEntry:
        """Append one entry in the same transaction as the change it describes."""
        entry = AuditEntry(
            actor_id=actor.id if actor else None,
            entity=entity,
            entity_id=str(entity_id),
            action=action,
            before=_jsonable(before) if before is not None else None,
            after=_jsonable(after) if after is not None else None,
        )
        db.add(entry)
        db.flush()
        return entry

    def record_many(
        self, db: Session, actor: User | None, entity: str, action: str, items: list[tuple[object, dict | None, dict]]
    ) -> None:
        """Append one entry per (entity id, before, after) with one executemany (bulk changes)."""
        now = clock.now()
        rows = [
            {
                "at": now,
                "actor_id": actor.id if actor else None,
                "entity": entity,
                "entity_id": str(entity_id),
                "action": action,
                "before": _jsonable(before) if before is not None else None,
                "after": _jsonable(after) if after is not None else None,
            }
            for entity_id, before, after in items
        ]
        insert_many(db, AuditEntry.__table__, rows)

    def page(self, db: Session, f: AuditFilter) -> Page[AuditEntry]:
        """One page of entries matching the filter, newest first by default, with the names they mention."""
        result = paginate(db, self.query(f), f.page, f.page_size)
        self.attach_names(db, result.items)
        return result

    def attach_names(self, db: Session, entries: list[AuditEntry]) -> AuditNames:
        """Load the names of the users and rows `entries` mention (one query per kind) onto each entry."""
        names = self.names(db, entries)
        for entry in entries:
            entry.names = names
        return names

    def names(self, db: Session, entries: list[AuditEntry]) -> AuditNames:
        """Names of the users and rows the entries are about or point to, one query per kind present."""
        from app.domain.bookings.models import Booking
        from app.domain.contracts.models import Contract
        from app.domain.finance.models import Payment
        from app.domain.inventory.models import Apartment, Building, Complex
        from app.domain.leads.models import Lead

        ids: dict[str, set[int]] = {kind: set() for kind in (*ID_FIELDS.values(), "payment", "building")}
        for entry in entries:
            if entry.actor_id:
                ids["user"].add(entry.actor_id)
            kind, key = entry.entity, entry.entity_id.split(":", 1)[0]
            if kind == "floor_grid":
                kind = "building"
            if kind in ids and key.isdigit():
                ids[kind].add(int(key))
            for snapshot in (entry.before or {}, entry.after or {}, (entry.after or {}).get("merged") or {}):
                for name, target in ID_FIELDS.items():
                    if isinstance(snapshot.get(name), int):
                        ids[target].add(snapshot[name])
        names = AuditNames()
        if ids["payment"]:
            rows = db.execute(select(Payment.id, Payment.contract_id).where(Payment.id.in_(ids["payment"])))
            names.payment_contracts = {pid: cid for pid, cid in rows}
            ids["contract"] |= set(names.payment_contracts.values())
        if ids["booking"]:
            rows = db.execute(select(Booking.id, Booking.apartment_id).where(Booking.id.in_(ids["booking"])))
            names.booking_apartments = {bid: aid for bid, aid in rows}
            ids["apartment"] |= set(names.booking_apartments.values())
        if ids["contract"]:
            rows = db.execute(
                select(Contract.id, Contract.number, Contract.currency).where(Contract.id.in_(ids["contract"]))
            )
            names.contracts = {cid: (number, _code(currency)) for cid, number, currency in rows}
        if ids["apartment"]:
            rows = db.execute(
                select(Apartment.id, Apartment.number, Building.name, Complex.name, Complex.currency)
                .join(Building, Building.id == Apartment.building_id)
                .join(Complex, Complex.id == Building.complex_id)
                .where(Apartment.id.in_(ids["apartment"]))
            )
            names.apartments = {
                aid: ApartmentPlace(str(number), building, complex_name, _code(currency))
                for aid, number, building, complex_name, currency in rows
            }
        if ids["building"]:
            rows = db.execute(
                select(Building.id, Building.name, Complex.name, Complex.currency)
                .join(Complex, Complex.id == Building.complex_id)
                .where(Building.id.in_(ids["building"]))
            )
            names.buildings = {bid: (name, complex_name, _code(cur)) for bid, name, complex_name, cur in rows}
        if ids["complex"]:
            rows = db.execute(select(Complex.id, Complex.name, Complex.currency).where(Complex.id.in_(ids["complex"])))
            names.complexes = {cid: (name, _code(currency)) for cid, name, currency in rows}
        if ids["lead"]:
            rows = db.execute(select(Lead.id, Lead.name).where(Lead.id.in_(ids["lead"])))
            names.leads = {lid: name for lid, name in rows}
        if ids["user"]:
            rows = db.execute(select(User.id, User.full_name, User.username).where(User.id.in_(ids["user"])))
            names.users = {uid: full_name or username for uid, full_name, username in rows}
        return names

    def query(self, f: AuditFilter) -> Select:
        """The filtered, sorted entries with their actors joined (for pages and exports)."""
        q = select(AuditEntry).options(joinedload(AuditEntry.actor))
        if f.actor:
            q = q.join(User, AuditEntry.actor_id == User.id).where(User.username == f.actor.strip().lower())
        if f.entity:
            q = q.where(AuditEntry.entity == f.entity)
        if f.entity_id:
            q = q.where(AuditEntry.entity_id == f.entity_id)
        if f.action:
            q = q.where(AuditEntry.action == f.action)
        if f.actor_id:
            q = q.where(AuditEntry.actor_id == f.actor_id)
        start, end = clock.day_range(f.date_from, f.date_to)
        if start:
            q = q.where(AuditEntry.at >= start)
        if end:
            q = q.where(AuditEntry.at < end)
        if f.q:
            like = f"%{f.q}%"
            q = q.where(or_(AuditEntry.entity_id.ilike(like), AuditEntry.entity.ilike(like)))
        return apply_sort(q, f.sort, self.sort_columns, "-at").order_by(AuditEntry.id.desc())

    def entities(self, db: Session) -> list[str]:
        """Entity names present in the log, for the filter select."""
        return list(db.scalars(select(AuditEntry.entity).distinct().order_by(AuditEntry.entity)))

    def recent_by(self, db: Session, actor: User, limit: int = 10) -> list[AuditEntry]:
        """The actor's latest changes, for their home page."""
        q = (
            select(AuditEntry)
            .where(AuditEntry.actor_id == actor.id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
        entries = list(db.scalars(q))
        self.attach_names(db, entries)
        return entries


audit = AuditCRUD()

"""Handovers of sold apartments: the order a fully paid contract raises (once), the one an admin or the
dispatcher requests (409 while one is open), the handover record with the defects it finds, and the
open defects per apartment that the staff grid overlays.

At most one open handover per contract holds on both backends (a partial unique index); the
contract row is locked first (PostgreSQL; SQLite writes take the database up front), so the check
and the insert happen in one transaction.
"""

from __future__ import annotations

import zlib

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core import clock
from app.core.errors import Conflict, NotFound
from app.domain.audit.crud import audit
from app.domain.contracts.models import Contract, ContractStatus
from app.domain.dispatch.crud import DueRules, add_order, due_date, may_write, open_handover, snapshot, work_orders
from app.domain.dispatch.handover_schemas import READINGS, DefectFound, DefectLink, HandoverRead, HandoverWrite
from app.domain.dispatch.models import CLOSED, Handover, OrderKind, OrderStatus, WorkOrder
from app.domain.inventory.models import Apartment
from settings import settings

HANDOVER_TITLE = "Передача квартиры № %s"  # stored data in the users' language, like the titles people type
RECORD_FIELDS = (*READINGS, "keys_count", "acceptance", "buyer_name", "accepted_at", "remarks")


def _record_snapshot(row: Handover) -> dict:
    return {name: getattr(row, name) for name in RECORD_FIELDS}


class HandoverCRUD:
    """Handover orders, their records and linked defects, and the grid's open-defect counts."""

    def on_paid(self, db: Session, actor: User | None, contract: Contract, rules: DueRules | None = None) -> None:
        """After a payment left the (locked) contract fully paid: its handover order, unless it ever had one."""
        if contract.status != ContractStatus.ACTIVE:
            return
        had = db.scalar(
            select(WorkOrder.id)
            .where(WorkOrder.contract_id == contract.id, WorkOrder.kind == OrderKind.HANDOVER)
            .limit(1)
        )
        if had is None:
            self._create(db, actor, contract, rules or settings.work_order_due, "fully_paid")  # audited as such

    def request(self, db: Session, actor: User, contract_id: int, rules: DueRules) -> WorkOrder:
        """A handover order for a contract's apartment on request; 409 while one is open or it is cancelled."""
        may_write(actor)
        contract = db.scalar(select(Contract).where(Contract.id == contract_id).with_for_update())
        if contract is None:
            raise NotFound("Contract not found.")
        if contract.status != ContractStatus.ACTIVE:
            raise Conflict("The contract is cancelled: its apartment is not handed over.", field="contract_id")
        if self.open_handover(db, contract_id) is not None:
            raise Conflict("A handover is already open for this contract.", field="contract_id")
        return work_orders.get(db, actor, self._create(db, actor, contract, rules, "create").id)

    def open_handover(self, db: Session, contract_id: int) -> int | None:
        """The id of the contract's open handover order, if any."""
        return open_handover(db, contract_id)

    def _create(self, db: Session, actor: User | None, contract: Contract, rules: DueRules, action: str) -> WorkOrder:
        number = db.scalar(select(Apartment.number).where(Apartment.id == contract.apartment_id))
        row = WorkOrder(
            apartment_id=contract.apartment_id,
            contract_id=contract.id,
            kind=OrderKind.HANDOVER,
            priority=3,
            title=HANDOVER_TITLE % number,
            description="",
            status=OrderStatus.NEW,
            due_date=due_date(clock.today(), OrderKind.HANDOVER, 3, rules),
            duration_minutes=60,
            overrides=[],
            version=1,
            created_by_id=actor.id if actor else None,
        )
        add_order(db, row)  # 409 when another request opened one a moment ago
        audit.record(db, actor, "work_order", row.id, action, None, snapshot(row))
        return row

    def record_of(self, db: Session, actor: User, order_id: int) -> HandoverRead | None:
        """What was recorded at a visible handover order, with its defect orders; None before the visit."""
        order = work_orders.get(db, actor, order_id)
        row = db.scalar(select(Handover).where(Handover.work_order_id == order.id))
        if row is None:
            return None
        return self._read(db, order, row)

    def defects_of(self, db: Session, order_id: int) -> list[DefectLink]:
        """The defect orders raised at a handover, oldest first."""
        q = select(WorkOrder).where(WorkOrder.parent_id == order_id).order_by(WorkOrder.id)
        return [DefectLink.model_validate(o) for o in db.scalars(q)]

    def record(self, db: Session, actor: User, order_id: int, data: HandoverWrite, rules: DueRules) -> HandoverRead:
        """Save the handover's readings, keys and acceptance, raise its defect orders, maybe mark it done."""
        may_write(actor)
        order = db.scalars(select(WorkOrder).where(WorkOrder.id == order_id).with_for_update()).one_or_none()
        if order is None:
            raise NotFound("Work order not found.")
        if order.kind != OrderKind.HANDOVER:
            raise Conflict("Only a handover order has a handover form.", field="kind")
        if order.status in CLOSED:
            raise Conflict("A closed order cannot be changed: reopen it first.", field="status")
        row = db.scalar(select(Handover).where(Handover.work_order_id == order.id))
        before = _record_snapshot(row) if row else None
        if row is None:
            row = Handover(work_order_id=order.id)
            db.add(row)
        for name in RECORD_FIELDS:
            setattr(row, name, getattr(data, name))
        row.recorded_by_id = actor.id
        db.flush()
        audit.record(db, actor, "work_order", order.id, "handover", before, _record_snapshot(row))
        for defect in data.defects:
            self._defect(db, actor, order, defect, rules)
        order_before = snapshot(order)
        if data.complete:
            order.status, order.completed_at = OrderStatus.DONE, clock.now()
        order.version += 1
        db.flush()
        if data.complete:
            audit.record(db, actor, "work_order", order.id, "update", order_before, snapshot(order))
        return self._read(db, order, row)

    def _defect(self, db: Session, actor: User, handover: WorkOrder, found: DefectFound, rules: DueRules) -> None:
        row = WorkOrder(
            apartment_id=handover.apartment_id,
            contract_id=handover.contract_id,
            parent_id=handover.id,
            kind=OrderKind.DEFECT,
            priority=3,
            title=found.title,
            description=found.description,
            required_skill=found.required_skill,
            status=OrderStatus.NEW,
            due_date=due_date(clock.today(), OrderKind.DEFECT, 3, rules),
            duration_minutes=60,
            overrides=[],
            version=1,
            created_by_id=actor.id,
        )
        db.add(row)
        db.flush()
        audit.record(db, actor, "work_order", row.id, "create", None, snapshot(row))

    def _read(self, db: Session, order: WorkOrder, row: Handover) -> HandoverRead:
        values = {name: getattr(row, name) for name in RECORD_FIELDS}
        return HandoverRead(
            work_order_id=order.id,
            order_status=order.status,
            updated_at=row.updated_at,
            defects=self.defects_of(db, order.id),
            **values,
        )

    def open_defects(self, db: Session, actor: User, apartment_ids: list[int]) -> dict[int, int]:
        """Open defect orders per apartment among those the actor may see (one query for the whole grid)."""
        if not apartment_ids:
            return {}
        visible = work_orders.visible(actor).subquery()
        rows = db.execute(
            select(visible.c.apartment_id, func.count())
            .where(
                visible.c.apartment_id.in_(apartment_ids),
                visible.c.kind == OrderKind.DEFECT.value,
                visible.c.status.not_in([s.value for s in CLOSED]),
            )
            .group_by(visible.c.apartment_id)
        ).all()
        return {apartment_id: count for apartment_id, count in rows}

    def grid_version(self, db: Session, actor: User, building_id: int, inventory_version: int) -> int:
        """The grid's inventory version folded with the building's defect orders the actor sees: it moves
        with any change to either, so the live grid redraws its defects overlay too."""
        visible = work_orders.visible(actor).subquery()
        flats = select(Apartment.id).where(Apartment.building_id == building_id)
        counted = db.execute(
            select(func.count(), func.coalesce(func.sum(visible.c.version), 0)).where(
                visible.c.apartment_id.in_(flats), visible.c.kind == OrderKind.DEFECT.value
            )
        ).one()
        return zlib.crc32(repr((inventory_version, tuple(counted))).encode()) & 0x7FFFFFFF  # fits an Int


handovers = HandoverCRUD()

"""Technicians and work orders: lists, entry, the partial edit with its version and slot rules,
the schedule, the unassigned queue and the dispatcher's home.

Dispatchers (WORK_ORDERS_READ_ALL) see every order; a salesperson (WORK_ORDERS_READ) sees only
the orders of their own clients' apartments (the contract they signed), read-only. A booked slot
is checked with the technician's row locked (PostgreSQL) inside a write transaction that SQLite
takes up front (BEGIN IMMEDIATE), so two dispatchers dropping two orders on one slot: one 409.
"""

from __future__ import annotations

import zlib
from collections.abc import Collection
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from app.auth.models import User
from app.auth.permissions import P, can
from app.core import clock
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.paging import Page, PageParams, apply_sort, paginate
from app.domain.audit.crud import audit
from app.domain.contracts.models import Contract, ContractStatus
from app.domain.dispatch.models import (
    BOOKED,
    CLOSED,
    OrderKind,
    OrderSource,
    OrderStatus,
    Technician,
    WorkOrder,
    WorkOrderPicture,
)
from app.domain.dispatch.pictures import MAX_PICTURES, MEDIA_TYPES, PictureUpload, picture_path, store_picture
from app.domain.dispatch.rules import REOPEN_DAYS, TRANSITIONS, ScheduleConflict, conflicts, end_of
from app.domain.dispatch.schemas import (
    BoardOrder,
    BoardRow,
    DispatchHome,
    Schedule,
    SchedulePeriod,
    TechnicianDay,
    TechnicianRead,
    TechnicianWrite,
    WorkOrderCreate,
    WorkOrderFilter,
    WorkOrderPatch,
    WorkOrderRead,
)
from app.domain.inventory.models import Apartment, Building, Complex

DueRules = tuple[dict[str, int], dict[int, int]]
ORDER_FIELDS = [
    "kind",
    "priority",
    "title",
    "description",
    "required_skill",
    "status",
    "cancel_reason",
    "due_date",
    "scheduled_start",
    "duration_minutes",
    "technician_id",
    "notes",
    "completion_note",
]
CLOSED_EDITABLE = {"notes", "completion_note", "status"}
SCHEDULING = {"technician_id", "scheduled_start", "duration_minutes", "required_skill", "status"}


def may_write(actor: User) -> None:
    """Forbidden unless the actor dispatches work orders."""
    if not can(actor, P.WORK_ORDERS_WRITE):
        raise Forbidden("Only the dispatcher changes work orders.")


def due_date(day: date, kind: OrderKind, priority: int, rules: DueRules) -> date:
    """The due day of an order created on `day`: days by kind, shortened for urgent priorities."""
    by_kind, urgent = rules
    days = by_kind.get(kind.value, 7)
    if priority in urgent:
        days = min(days, urgent[priority])
    return day + timedelta(days=days)


def snapshot(row: WorkOrder) -> dict:
    """The audited fields of a work order."""
    return {name: getattr(row, name) for name in ORDER_FIELDS}


class TechnicianCRUD:
    """The dispatcher's technicians: list, add, edit, (de)activate."""

    def all(self, db: Session, actor: User, active_only: bool = False) -> list[Technician]:
        """Technicians by name, the active ones first."""
        if not can(actor, P.WORK_ORDERS_READ_ALL):
            raise Forbidden("You do not have access to technicians.")
        q = select(Technician).order_by(Technician.is_active.desc(), Technician.name, Technician.id)
        if active_only:
            q = q.where(Technician.is_active.is_(True))
        return list(db.scalars(q))

    def get(self, db: Session, actor: User, technician_id: int) -> Technician:
        """A technician, or NotFound."""
        if not can(actor, P.WORK_ORDERS_READ_ALL):
            raise Forbidden("You do not have access to technicians.")
        row = db.get(Technician, technician_id)
        if row is None:
            raise NotFound("Technician not found.")
        return row

    def create(self, db: Session, actor: User, data: TechnicianWrite) -> Technician:
        """Add a technician."""
        self._may_write(actor)
        self._check_user(db, data.user_id, None)
        row = Technician(**data.model_dump(mode="json"))
        db.add(row)
        db.flush()
        audit.record(db, actor, "technician", row.id, "create", None, data.model_dump(mode="json"))
        return row

    def update(self, db: Session, actor: User, technician_id: int, data: TechnicianWrite) -> Technician:
        """Replace a technician's details."""
        self._may_write(actor)
        row = self.get(db, actor, technician_id)
        self._check_user(db, data.user_id, technician_id)
        before = TechnicianRead.model_validate(row).model_dump(mode="json")
        for name, value in data.model_dump(mode="json").items():
            setattr(row, name, value)
        db.flush()
        audit.record(db, actor, "technician", row.id, "update", before, data.model_dump(mode="json"))
        return row

    def _may_write(self, actor: User) -> None:
        if not can(actor, P.TECHNICIANS_WRITE):
            raise Forbidden("Only the dispatcher changes technicians.")

    def _check_user(self, db: Session, user_id: int | None, own_id: int | None) -> None:
        if user_id is None:
            return
        if db.get(User, user_id) is None:
            raise Invalid("No such user.", field="user_id")
        taken = db.scalar(select(Technician.id).where(Technician.user_id == user_id, Technician.id != (own_id or 0)))
        if taken is not None:
            raise Conflict("This user is already linked to another technician.", field="user_id")


technicians = TechnicianCRUD()


def _loaded(q: Select) -> Select:
    """`q` with what an order's card shows loaded."""
    return q.options(
        joinedload(WorkOrder.apartment).joinedload(Apartment.building).joinedload(Building.complex),
        joinedload(WorkOrder.contract),
        joinedload(WorkOrder.technician),
        selectinload(WorkOrder.pictures),
    )


class WorkOrderCRUD:
    """Work orders: list and filters, entry, the partial edit, pictures, schedule, queue and home."""

    sort_columns = {
        "due_date": WorkOrder.due_date,
        "priority": WorkOrder.priority,
        "created_at": WorkOrder.created_at,
        "scheduled_start": WorkOrder.scheduled_start,
    }

    def _visible(self, actor: User) -> Select:
        """Orders the actor may see: all for dispatchers, their own clients' for salespeople."""
        q = select(WorkOrder)
        if can(actor, P.WORK_ORDERS_READ_ALL):
            return q
        if not can(actor, P.WORK_ORDERS_READ):
            raise Forbidden("You do not have access to work orders.")
        return q.join(Contract, Contract.id == WorkOrder.contract_id).where(Contract.salesperson_id == actor.id)

    def visible(self, actor: User) -> Select:
        """The orders the actor may see (for counts over them, e.g. the grid's overlay)."""
        return self._visible(actor)

    def query(self, actor: User, f: WorkOrderFilter) -> Select:
        """The filtered visible orders, soonest due first."""
        q = _loaded(self._visible(actor))
        if f.status:
            q = q.where(WorkOrder.status == f.status)
        if f.kind:
            q = q.where(WorkOrder.kind == f.kind)
        if f.source:
            q = q.where(WorkOrder.source == f.source)
        if f.technician_id:
            q = q.where(WorkOrder.technician_id == f.technician_id)
        if f.complex_id:
            buildings = select(Building.id).where(Building.complex_id == f.complex_id)
            flats = select(Apartment.id).where(Apartment.building_id.in_(buildings))
            q = q.where(WorkOrder.apartment_id.in_(flats))
        if f.date_from or f.date_to:
            start, end = clock.day_range(f.date_from, f.date_to)
            in_slot, in_due = [WorkOrder.scheduled_start.is_not(None)], [WorkOrder.scheduled_start.is_(None)]
            if start:
                in_slot.append(WorkOrder.scheduled_start >= start)
                in_due.append(WorkOrder.due_date >= f.date_from)
            if end:
                in_slot.append(WorkOrder.scheduled_start < end)
                in_due.append(WorkOrder.due_date <= f.date_to)
            q = q.where(or_(and_(*in_slot), and_(*in_due)))
        if f.q:
            term = f"%{f.q.strip().lower()}%"
            q = q.where(or_(func.lower(WorkOrder.title).like(term), func.lower(WorkOrder.description).like(term)))
        return apply_sort(q, f.sort, self.sort_columns, "due_date").order_by(WorkOrder.id)

    def page(self, db: Session, actor: User, f: WorkOrderFilter) -> Page[WorkOrder]:
        """One page of the filtered orders."""
        return paginate(db, self.query(actor, f), f.page, f.page_size)

    def get(self, db: Session, actor: User, order_id: int) -> WorkOrder:
        """One visible order with its apartment, buyer, technician and pictures, or NotFound."""
        row = db.scalars(_loaded(self._visible(actor)).where(WorkOrder.id == order_id)).unique().one_or_none()
        if row is None:
            raise NotFound("Work order not found.")
        return row

    def for_contract(self, db: Session, actor: User, contract_id: int) -> list[WorkOrder]:
        """The visible orders of one contract's apartment (the lead and contract pages)."""
        q = _loaded(self._visible(actor)).where(WorkOrder.contract_id == contract_id)
        return list(db.scalars(q.order_by(WorkOrder.created_at.desc())).unique())

    def create(self, db: Session, actor: User, data: WorkOrderCreate, rules: DueRules) -> WorkOrder:
        """A new order on an apartment, its buyer's active contract attached, due by the settings' rules."""
        may_write(actor)
        if db.get(Apartment, data.apartment_id) is None:
            raise Invalid("No such apartment.", field="apartment_id")
        contract_id = db.scalar(
            select(Contract.id).where(
                Contract.apartment_id == data.apartment_id, Contract.status == ContractStatus.ACTIVE
            )
        )
        if data.technician_id is not None:  # locked before the new row's reference takes its key-share lock
            technician = db.scalars(
                select(Technician).where(Technician.id == data.technician_id).with_for_update()
            ).one_or_none()
            if technician is None:
                raise Invalid("No such active technician.", field="technician_id")
        fields = data.model_dump(exclude={"force"})
        row = WorkOrder(
            **fields,
            contract_id=contract_id,
            status=OrderStatus.NEW,
            due_date=due_date(clock.today(), data.kind, data.priority, rules),
            overrides=[],
            version=1,
            created_by_id=actor.id,
        )
        if row.technician_id is not None and row.scheduled_start is not None:
            row.status = OrderStatus.SCHEDULED
        add_order(db, row)
        audit.record(db, actor, "work_order", row.id, "create", None, snapshot(row))
        self._check_slot(db, actor, row, data.force)
        return self.get(db, actor, row.id)

    def update(
        self, db: Session, actor: User, order_id: int, patch: WorkOrderPatch, rules: DueRules, if_match: int | None
    ) -> WorkOrder:
        """Change the fields sent; 409 on a stale version or a slot conflict (unless forced), 422 on a bad move."""
        may_write(actor)
        row = db.scalars(select(WorkOrder).where(WorkOrder.id == order_id).with_for_update()).one_or_none()
        if row is None:
            raise NotFound("Work order not found.")
        seen = patch.version if patch.version is not None else if_match
        if seen is not None and seen != row.version:
            raise Conflict(
                "Someone changed this order meanwhile: reload it and try again.", field="version", current=row.version
            )
        changes = {k: v for k, v in patch.changes().items() if getattr(row, k) != v}  # a form resends all
        if row.status in (OrderStatus.DONE, OrderStatus.CANCELLED) and set(changes) - CLOSED_EDITABLE:
            raise Conflict("A closed order cannot be changed: reopen it first.", field="status")
        before = snapshot(row)
        status = changes.pop("status", None)
        target = changes.get("technician_id", row.technician_id)
        if target is not None and (set(changes) & SCHEDULING):
            # lock the technician before the order's new reference takes its key-share lock
            technician = db.scalars(select(Technician).where(Technician.id == target).with_for_update()).one_or_none()
            if technician is None or not technician.is_active:
                raise Invalid("No such active technician.", field="technician_id")
        for name, value in changes.items():
            setattr(row, name, value)
        if ("kind" in changes or "priority" in changes) and "due_date" not in changes:
            row.due_date = due_date(clock.local(row.created_at).date(), row.kind, row.priority, rules)
        self._move(row, status)
        if set(changes) & SCHEDULING or status is not None:
            self._check_slot(db, actor, row, patch.force)
        row.version += 1
        add_order(db, row)
        audit.record(db, actor, "work_order", row.id, "update", before, snapshot(row))
        return self.get(db, actor, row.id)

    def _move(self, row: WorkOrder, status: OrderStatus | None) -> None:
        """Apply a status change (checked against the transitions) or the automatic one of an (un)assignment."""
        slotted = row.technician_id is not None and row.scheduled_start is not None
        row.scheduled_end = end_of(row.scheduled_start, row.duration_minutes) if row.scheduled_start else None
        if status is None:
            if row.status == OrderStatus.NEW and slotted:
                row.status = OrderStatus.SCHEDULED
            elif row.status == OrderStatus.SCHEDULED and not slotted:
                row.status = OrderStatus.NEW
            return
        if status == row.status:
            return
        if status not in TRANSITIONS[row.status]:
            raise Invalid("An order cannot go from this status to that one.", field="status")
        if status in BOOKED and not slotted:
            raise Invalid("Choose a technician and a time first.", field="technician_id")
        if status == OrderStatus.CANCELLED and not row.cancel_reason.strip():
            raise Invalid("Say why the order is cancelled.", field="cancel_reason")
        if row.status == OrderStatus.DONE:
            if row.completed_at and clock.now() - row.completed_at > timedelta(days=REOPEN_DAYS):
                raise Invalid("A done order can be reopened within 14 days only.", field="status")
            row.reopened += 1
            row.completed_at = None
        if status == OrderStatus.DONE:
            row.completed_at = clock.now()
        row.status = status

    def _check_slot(self, db: Session, actor: User, row: WorkOrder, force: bool) -> None:
        """Refuse an overlapping, out-of-hours or unskilled slot unless forced (then recorded)."""
        row.scheduled_end = end_of(row.scheduled_start, row.duration_minutes) if row.scheduled_start else None
        if row.status not in BOOKED or row.technician_id is None or row.scheduled_start is None:
            return
        technician = db.scalars(
            select(Technician).where(Technician.id == row.technician_id).with_for_update()
        ).one_or_none()  # one technician's slots are checked one transaction at a time
        if technician is None or not technician.is_active:
            raise Invalid("No such active technician.", field="technician_id")
        reasons = conflicts(db, row, technician)
        if reasons and not force:
            raise ScheduleConflict(reasons)
        if reasons:
            row.overrides = sorted(set(row.overrides or []) | set(reasons))
            audit.record(db, actor, "work_order", row.id, "override", None, {"conflicts": reasons})

    def add_picture(
        self, db: Session, actor: User, order_id: int, upload: PictureUpload | None, data_dir: Path, max_bytes: int
    ) -> WorkOrder:
        """Attach a picture (JPEG, PNG or WebP up to `max_bytes`, at most 10 per order)."""
        may_write(actor)
        row = self.get(db, actor, order_id)
        if upload is None:
            raise Invalid("Choose a picture.", field="picture")
        if len(row.pictures) >= MAX_PICTURES:
            raise Invalid("An order holds at most %(n)s pictures.", field="picture", n=MAX_PICTURES)
        name = store_picture(upload, data_dir, max_bytes)
        db.add(WorkOrderPicture(work_order_id=row.id, stored_name=name, filename=upload.filename[:200] or name))
        row.version += 1
        db.flush()
        audit.record(db, actor, "work_order", row.id, "picture", None, {"picture": upload.filename[:200]})
        db.expire(row, ["pictures"])
        return self.get(db, actor, order_id)

    def picture(self, db: Session, actor: User, order_id: int, picture_id: int, data_dir: Path) -> tuple[Path, str]:
        """The file and media type of a visible order's picture, or NotFound."""
        self.get(db, actor, order_id)
        picture = db.get(WorkOrderPicture, picture_id)
        path = picture_path(data_dir, picture.stored_name) if picture and picture.work_order_id == order_id else None
        if path is None:
            raise NotFound("Picture not found.")
        return path, MEDIA_TYPES[path.suffix]

    def apartment_choices(self, db: Session) -> list[tuple[int, str]]:
        """Apartments to pick for a new order: sold ones (with a buyer) first, as "ЖК, block, No."."""
        q = (
            select(Apartment.id, Complex.name, Building.name, Apartment.number, Contract.id)
            .join(Building, Building.id == Apartment.building_id)
            .join(Complex, Complex.id == Building.complex_id)
            .outerjoin(Contract, (Contract.apartment_id == Apartment.id) & (Contract.status == ContractStatus.ACTIVE))
            .order_by(Contract.id.is_(None), Complex.name, Building.name, Apartment.number)
            .limit(2000)
        )
        return [(row[0], f"{row[1]}, {row[2]}, № {row[3]}") for row in db.execute(q)]

    def unassigned(self, db: Session, actor: User, params: PageParams) -> Page[WorkOrder]:
        """The queue: open orders without a technician or a time, the oldest due first, then the most urgent."""
        q = _loaded(self._visible(actor)).where(
            WorkOrder.status == OrderStatus.NEW,
            or_(WorkOrder.technician_id.is_(None), WorkOrder.scheduled_start.is_(None)),
        )
        q = q.order_by(WorkOrder.due_date, WorkOrder.priority, WorkOrder.id)
        return paginate(db, q, params.page, params.page_size)

    def _placed(self, q: Select, period: SchedulePeriod) -> Select:
        """`q` narrowed to the orders placed on a technician's time within the period, in time order."""
        start, end = clock.day_start(period.date_from), clock.day_end(period.date_to)
        return q.where(
            WorkOrder.technician_id.is_not(None),
            WorkOrder.status != OrderStatus.CANCELLED,
            WorkOrder.scheduled_start < end,
            WorkOrder.scheduled_end > start,
        ).order_by(WorkOrder.scheduled_start, WorkOrder.id)

    def board(
        self, db: Session, actor: User, period: SchedulePeriod, technician_ids: Collection[int] | None = None
    ) -> list[BoardRow]:
        """The schedule as the board draws it: each technician's row with light block rows, one query
        (only the technicians named, when `technician_ids` is given: the lanes a drop changed)."""
        staff = technicians.all(db, actor)
        if technician_ids is not None:
            staff = [t for t in staff if t.id in technician_ids]
        columns = (
            *(getattr(WorkOrder, name) for name in BoardOrder._fields[:9]),
            Apartment.number,
            Complex.name,
        )
        q = (
            self._visible(actor)
            .with_only_columns(*columns)
            .join(Apartment, Apartment.id == WorkOrder.apartment_id)
            .join(Building, Building.id == Apartment.building_id)
            .join(Complex, Complex.id == Building.complex_id)
        )
        if technician_ids is not None:
            q = q.where(WorkOrder.technician_id.in_(list(technician_ids)))
        by_technician: dict[int, list[BoardOrder]] = {}
        for row in db.execute(self._placed(q, period)):
            order = BoardOrder(*row)
            by_technician.setdefault(order.technician_id, []).append(order)
        return [
            BoardRow(TechnicianRead.model_validate(t), by_technician.get(t.id, []))
            for t in staff
            if t.is_active or t.id in by_technician
        ]

    def schedule(self, db: Session, actor: User, period: SchedulePeriod) -> Schedule:
        """Every active technician (and any with orders in the period) with their booked orders in it."""
        staff = technicians.all(db, actor)
        orders = db.scalars(self._placed(_loaded(self._visible(actor)), period)).unique().all()
        by_technician: dict[int, list[WorkOrder]] = {}
        for order in orders:
            by_technician.setdefault(order.technician_id, []).append(order)
        rows = [
            TechnicianDay(
                technician=TechnicianRead.model_validate(t),
                orders=[WorkOrderRead.model_validate(o) for o in by_technician.get(t.id, [])],
            )
            for t in staff
            if t.is_active or t.id in by_technician
        ]
        return Schedule(date_from=period.date_from, date_to=period.date_to, technicians=rows)

    def board_version(self, db: Session, actor: User) -> int:
        """A number that moves with any change a board shows: orders added or edited, technicians renamed.

        Every edit of an order bumps its version, so the count and the sum of versions move on any
        change; the few technicians are read whole. Stored in the database: every process agrees."""
        if not can(actor, P.WORK_ORDERS_READ_ALL):
            raise Forbidden("You do not have access to technicians.")
        orders = db.execute(select(func.count(), func.coalesce(func.sum(WorkOrder.version), 0))).one()
        staff = db.execute(
            select(Technician.id, Technician.name, Technician.color, Technician.is_active).order_by(Technician.id)
        ).all()
        return zlib.crc32(repr((tuple(orders), [tuple(t) for t in staff])).encode())

    def home(self, db: Session, actor: User) -> DispatchHome:
        """Today's orders by technician, the overdue ones, the queue's size and new defect reports."""
        today = clock.today()
        board = self.schedule(db, actor, SchedulePeriod.model_validate({"from": today, "to": today}))
        open_ = WorkOrder.status.not_in((OrderStatus.DONE, OrderStatus.CANCELLED))
        overdue_q = _loaded(self._visible(actor)).where(open_, WorkOrder.due_date < today)
        overdue = db.scalars(overdue_q.order_by(WorkOrder.due_date, WorkOrder.id).limit(20)).unique().all()
        visible = self._visible(actor).subquery()
        overdue_count = db.scalar(
            select(func.count()).select_from(visible).where(visible.c.due_date < today, visible.c.status.in_(_open()))
        )
        unassigned = self.unassigned(db, actor, PageParams(page_size=1)).total
        new_requests = db.scalar(
            select(func.count())
            .select_from(visible)
            .where(visible.c.status == OrderStatus.NEW.value, visible.c.kind == OrderKind.DEFECT.value)
        )
        buyer_requests = db.scalar(
            select(func.count())
            .select_from(visible)
            .where(visible.c.status == OrderStatus.NEW.value, visible.c.source == OrderSource.BUYER_REQUEST.value)
        )
        return DispatchHome(
            today=[day for day in board.technicians if day.orders],
            overdue=[WorkOrderRead.model_validate(o) for o in overdue],
            overdue_count=overdue_count or 0,
            unassigned_count=unassigned,
            new_requests=new_requests or 0,
            new_buyer_requests=buyer_requests or 0,
        )


def open_handover(db: Session, contract_id: int, other_than: int | None = None) -> int | None:
    """The id of the contract's open handover order (other than `other_than`), if any."""
    q = select(WorkOrder.id).where(
        WorkOrder.contract_id == contract_id, WorkOrder.kind == OrderKind.HANDOVER, WorkOrder.status.not_in(CLOSED)
    )
    return db.scalar(q.where(WorkOrder.id != other_than) if other_than else q)


def add_order(db: Session, row: WorkOrder) -> None:
    """Add and flush `row`; 409 (nothing left pending) when it would be a second open handover of its contract."""
    if row.kind == OrderKind.HANDOVER and row.contract_id is not None and row.status not in CLOSED:
        with db.no_autoflush:
            other = open_handover(db, row.contract_id, other_than=row.id)
        if other is not None:
            raise Conflict("A handover is already open for this contract.", field="kind")
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError as exc:  # another request opened one a moment ago
        raise Conflict("A handover is already open for this contract.", field="kind") from exc


def _open() -> list[str]:
    return [OrderStatus.NEW.value, OrderStatus.SCHEDULED.value, OrderStatus.IN_PROGRESS.value]


work_orders = WorkOrderCRUD()

"""The rules of a technician's slot: no overlap with their other booked orders (touching is fine),
inside their working hours, with the required skill; and the allowed status transitions."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core import clock
from app.core.errors import InvalidMany
from app.domain.dispatch.models import BOOKED, OrderStatus, Technician, WorkOrder
from app.domain.dispatch.schemas import working_window

REOPEN_DAYS = 14
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.NEW: frozenset({OrderStatus.SCHEDULED, OrderStatus.CANCELLED}),
    OrderStatus.SCHEDULED: frozenset({OrderStatus.NEW, OrderStatus.IN_PROGRESS, OrderStatus.CANCELLED}),
    OrderStatus.IN_PROGRESS: frozenset({OrderStatus.SCHEDULED, OrderStatus.DONE, OrderStatus.CANCELLED}),
    OrderStatus.DONE: frozenset({OrderStatus.IN_PROGRESS}),
    OrderStatus.CANCELLED: frozenset(),
}
MESSAGES = {
    "overlap": "The technician has another order at this time.",
    "working_hours": "This time is outside the technician's working hours.",
    "skill": "The technician does not have the skill this order requires.",
}


class ScheduleConflict(InvalidMany):
    """The slot clashes with the technician's time, hours or skills (409, each reason named)."""

    status_code = 409

    def __init__(self, reasons: list[str]) -> None:
        problems = [{"loc": ["conflict", code], "msg": MESSAGES[code]} for code in reasons]
        super().__init__(" ".join(MESSAGES[code] for code in reasons[:1]), problems)
        self.reasons = reasons


def end_of(start: datetime, minutes: int) -> datetime:
    """When a slot of `minutes` starting at `start` ends."""
    return start + timedelta(minutes=minutes)


def outside_hours(technician: Technician, start: datetime, end: datetime) -> bool:
    """True unless [start, end) lies within the technician's working hours of that company day."""
    local_start, local_end = clock.local(start), clock.local(end)
    pair = technician.hours.get(str(local_start.weekday()))
    if not pair:
        return True
    opens, closes = working_window(pair)
    if local_end.date() != local_start.date():
        return True
    return local_start.time() < opens or local_end.time() > closes


def overlaps(db: Session, order: WorkOrder) -> bool:
    """True when another booked order of the same technician overlaps the order's slot (touching is fine)."""
    q = select(func.count()).where(
        WorkOrder.technician_id == order.technician_id,
        WorkOrder.status.in_(BOOKED),
        WorkOrder.scheduled_start < order.scheduled_end,
        WorkOrder.scheduled_end > order.scheduled_start,
    )
    if order.id is not None:
        q = q.where(WorkOrder.id != order.id)
    return bool(db.scalar(q))


def conflicts(db: Session, order: WorkOrder, technician: Technician) -> list[str]:
    """The reasons ("overlap", "working_hours", "skill") the order's slot clashes; empty when it is fine."""
    reasons = []
    if overlaps(db, order):
        reasons.append("overlap")
    if outside_hours(technician, order.scheduled_start, order.scheduled_end):
        reasons.append("working_hours")
    if order.required_skill and order.required_skill.value not in technician.skills:
        reasons.append("skill")
    return reasons

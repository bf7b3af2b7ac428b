"""The lead pipeline's rules: which status changes a person may make by hand."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.core import clock
from app.domain.leads.models import LeadStatus
from app.domain.leads.schemas import CallbackWhen

# Changes made by hand. "booked" and "sold" come only from bookings and contracts.
MANUAL_TRANSITIONS: dict[LeadStatus, frozenset[LeadStatus]] = {
    LeadStatus.NEW: frozenset({LeadStatus.IN_WORK, LeadStatus.LOST}),
    LeadStatus.IN_WORK: frozenset({LeadStatus.NEW, LeadStatus.LOST}),
    LeadStatus.BOOKED: frozenset({LeadStatus.LOST}),
    LeadStatus.SOLD: frozenset(),
    LeadStatus.LOST: frozenset({LeadStatus.IN_WORK}),
}
OPEN_STATUSES = frozenset({LeadStatus.NEW, LeadStatus.IN_WORK, LeadStatus.BOOKED})
# A lead that reaches these is finished: nobody calls it back any more.
CLOSED_STATUSES = frozenset({LeadStatus.SOLD, LeadStatus.LOST})


def can_move(current: LeadStatus, target: LeadStatus) -> bool:
    """True when a person may move a lead from `current` to `target` by hand."""
    return target in MANUAL_TRANSITIONS[current]


def callback_window(when: CallbackWhen) -> tuple[datetime | None, datetime | None]:
    """UTC bounds [start, end) of the callbacks `when` asks for; None leaves a side open."""
    today, moment = clock.today(), clock.now()
    if when == CallbackWhen.OVERDUE:
        return None, moment
    if when == CallbackWhen.TODAY:
        return clock.day_range(today, today)
    if when == CallbackWhen.TOMORROW:
        return clock.day_range(today + timedelta(days=1), today + timedelta(days=1))
    if when == CallbackWhen.WEEK:
        return clock.day_range(today, clock.week_end(today))
    if when == CallbackWhen.ALL:
        return moment, None
    return None, clock.end_of_today()

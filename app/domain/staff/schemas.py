"""Read models of the dashboards' home data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.auth.permissions import Role
from app.domain.dispatch.schemas import DispatchHome
from app.domain.reports.schemas import RopHome


class TeamMember(BaseModel):
    """A colleague as the home page lists them."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    full_name: str
    phone: str
    role: Role
    on_shift: bool | None = None  # for the MOP's team table
    late_callbacks: int | None = None


class HomeLead(BaseModel):
    """A lead in a home list (today's callbacks)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    phone: str
    next_callback_at: datetime | None


class HomeBooking(BaseModel):
    """A booking running out soon: whose, which apartment, until when."""

    id: int
    lead_id: int
    lead_name: str
    apartment: str
    expires_at: datetime


class HomeNudge(BaseModel):
    """The MOP's reminder of a late callback."""

    at: datetime
    by: str
    lead_id: int
    lead_name: str
    next_callback_at: datetime | None


class OnShift(BaseModel):
    """Who is on shift, since when."""

    user_id: int
    name: str
    role: Role
    since: datetime


class RecentAction(BaseModel):
    """One of the user's own recent changes."""

    model_config = ConfigDict(from_attributes=True)
    at: datetime
    entity: str
    entity_id: str
    action: str
    names: Any = Field(None, exclude=True)  # the AuditNames loaded with the entry, for its display name


class HomeSummary(BaseModel):
    """What a role's home page shows: counters, the team it works with, recent actions, and the lists of
    its work (the MOP: who is on shift; a salesperson: today's callbacks, bookings running out, nudges)."""

    role: Role
    counters: dict[str, int]
    team: list[TeamMember]
    recent_actions: list[RecentAction]
    on_shift: list[OnShift] = []
    callbacks_today: list[HomeLead] = []
    bookings_expiring: list[HomeBooking] = []
    nudges: list[HomeNudge] = []
    rop: RopHome | None = None  # the ROP's home: plan progress and funnel instead of counters
    dispatch: DispatchHome | None = None  # the dispatcher's home: today's orders, overdue, the queue


class Person(BaseModel):
    """A staff member named in attendance and distribution answers."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    full_name: str
    role: Role


class ShiftRead(BaseModel):
    """One shift: in, out (null while open), and whether the night job closed it."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    user_id: int
    day: date
    checked_in_at: datetime
    checked_out_at: datetime | None
    closed_by_system: bool


class AttendanceStatus(BaseModel):
    """Whether the caller is on shift now, and since when."""

    on_shift: bool
    shift: ShiftRead | None


class BreakRead(BaseModel):
    """A pause between two shifts of a day."""

    model_config = ConfigDict(from_attributes=True)
    started_at: datetime
    ended_at: datetime
    minutes: int


class DayItem(BaseModel):
    """A person on the day's board (checked_in_at null: not in that day)."""

    model_config = ConfigDict(from_attributes=True)
    user: Person
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    on_shift: bool
    late: bool
    closed_by_system: bool
    hours: float
    shifts: list[ShiftRead]
    breaks: list[BreakRead]


class AttendanceDay(BaseModel):
    """GET /api/mop/attendance?date=: everyone's shifts of a company day."""

    date: date
    shift_start: str
    items: list[DayItem]


class MonthItem(BaseModel):
    """A person's month: days present, hours, late arrivals, days not checked out."""

    model_config = ConfigDict(from_attributes=True)
    user: Person
    days_present: int
    hours: float
    late_days: int
    not_checked_out: int
    late_dates: list[date]


class AttendanceMonth(BaseModel):
    """GET /api/mop/attendance/month?month=YYYY-MM: the month table per person."""

    month: str
    shift_start: str
    items: list[MonthItem]

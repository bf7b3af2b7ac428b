"""Pydantic models of technicians, work orders, their filters, the schedule and the dispatcher's home."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from app.core import clock
from app.core.paging import PageParams
from app.core.types import Day, Id, Input, Moment
from app.domain.dispatch.models import OrderKind, OrderSource, OrderStatus, Skill

HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
WEEKDAYS = tuple(str(n) for n in range(7))  # "0" is Monday
MAX_DURATION = 24 * 60


def squeezed(value: object) -> object:
    """Text with its runs of whitespace squeezed to single spaces (anything else as it is)."""
    return " ".join(value.split()) if isinstance(value, str) else value


def working_window(pair: list[str]) -> tuple[time, time]:
    """A stored [from, to] pair as times of day."""
    return time.fromisoformat(pair[0]), time.fromisoformat(pair[1])


def _wall_clock(value: datetime | None) -> datetime | None:
    """A moment without a zone is read off the company's wall clock (a datetime-local field)."""
    return clock.from_local(value) if value is not None and value.tzinfo is None else value


class TechnicianWrite(Input):
    """A technician as entered: skills from the list, a board colour, working hours per weekday."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=2, max_length=200)
    phone: str = Field("", max_length=20, pattern=r"^(\+?[0-9 ()-]{5,20})?$")
    skills: list[Skill] = Field(default_factory=list, max_length=len(Skill))
    color: str = Field("#3b82f6", pattern=r"^#[0-9a-fA-F]{6}$")
    hours: dict[str, list[str]] = Field(default_factory=dict)
    is_active: bool = True
    user_id: Id | None = None

    @field_validator("name", mode="before")
    @classmethod
    def _squeeze(cls, value: object) -> object:
        return squeezed(value)

    @field_validator("skills")
    @classmethod
    def _unique(cls, value: list[Skill]) -> list[Skill]:
        return list(dict.fromkeys(value))

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for day, pair in value.items():
            if day not in WEEKDAYS:
                raise ValueError("Weekdays are numbered 0 (Monday) to 6 (Sunday).")
            if len(pair) != 2 or not all(isinstance(p, str) and HHMM.match(p) for p in pair):
                raise ValueError("Working hours are written as two times, HH:MM.")
            start, end = working_window(pair)
            if end <= start:
                raise ValueError("The working day must end after it starts.")
        return dict(sorted(value.items()))


class TechnicianRead(BaseModel):
    """A technician as the API shows it."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    phone: str
    skills: list[Skill]
    color: str
    hours: dict[str, list[str]]
    is_active: bool
    user_id: int | None


class WorkOrderCreate(Input):
    """A new work order; the buyer follows from the apartment's active contract, the due date from settings."""

    model_config = ConfigDict(extra="forbid")
    apartment_id: Id
    kind: OrderKind
    priority: int = Field(3, ge=1, le=5)
    title: str = Field(min_length=2, max_length=200)
    description: str = Field("", max_length=5000)
    required_skill: Skill | None = None
    scheduled_start: Moment | None = None
    duration_minutes: int = Field(60, ge=15, le=MAX_DURATION)
    technician_id: Id | None = None
    notes: str = Field("", max_length=5000)
    force: bool = False

    @field_validator("title", mode="before")
    @classmethod
    def _squeeze(cls, value: object) -> object:
        return squeezed(value)

    @field_validator("scheduled_start")
    @classmethod
    def _local(cls, value: datetime | None) -> datetime | None:
        return _wall_clock(value)


class ServiceRequestCreate(Input):
    """A problem a buyer reports through their link: a short title, the story, when a visit suits them."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=3, max_length=200)
    text: str = Field("", max_length=5000)
    preferred_time: str = Field("", max_length=200)

    @field_validator("title", "preferred_time", mode="before")
    @classmethod
    def _squeeze(cls, value: object) -> object:
        return squeezed(value)

    @field_validator("text", mode="before")
    @classmethod
    def _trim(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value


class WorkOrderPatch(Input):
    """A partial edit: only the fields sent change (null unassigns a technician or clears the slot).

    `version` (or the If-Match header) is the version the client saw: a newer one answers 409.
    `force` confirms the conflicts the server reported (recorded on the order).
    """

    model_config = ConfigDict(extra="forbid")
    kind: OrderKind | None = None
    priority: int | None = Field(None, ge=1, le=5)
    title: str | None = Field(None, min_length=2, max_length=200)
    description: str | None = Field(None, max_length=5000)
    required_skill: Skill | None = None
    status: OrderStatus | None = None
    cancel_reason: str | None = Field(None, max_length=500)
    due_date: Day | None = None
    scheduled_start: Moment | None = None
    duration_minutes: int | None = Field(None, ge=15, le=MAX_DURATION)
    technician_id: Id | None = None
    notes: str | None = Field(None, max_length=5000)
    completion_note: str | None = Field(None, max_length=5000)
    version: int | None = Field(None, ge=1, le=2**31 - 1)
    force: bool = False

    @field_validator("title", mode="before")
    @classmethod
    def _squeeze(cls, value: object) -> object:
        return squeezed(value)

    @field_validator("kind", "priority", "title", "status", "due_date", "duration_minutes")
    @classmethod
    def _not_null(cls, value: object, info: ValidationInfo) -> object:
        if value is None:
            raise ValueError("This field cannot be empty.")
        return value

    @field_validator("scheduled_start")
    @classmethod
    def _local(cls, value: datetime | None) -> datetime | None:
        return _wall_clock(value)

    def changes(self) -> dict:
        """The fields sent, without the version and the override flag."""
        return {name: getattr(self, name) for name in self.model_fields_set - {"version", "force"}}


class PictureRead(BaseModel):
    """A picture of a work order."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    filename: str


class WorkOrderRead(BaseModel):
    """A work order as the API shows it, with its apartment, buyer and technician named."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    apartment_id: int
    apartment: str
    building: str
    complex_id: int
    complex: str
    contract_id: int | None
    parent_id: int | None
    buyer: str | None
    kind: OrderKind
    priority: int
    title: str
    description: str
    required_skill: Skill | None
    status: OrderStatus
    cancel_reason: str
    due_date: date
    overdue: bool
    scheduled_start: datetime | None
    scheduled_end: datetime | None
    duration_minutes: int
    technician_id: int | None
    technician: str | None
    notes: str
    completion_note: str
    completed_at: datetime | None
    reopened: int
    overrides: list[str]
    version: int
    source: OrderSource
    preferred_time: str
    pictures: list[PictureRead]
    created_at: datetime
    updated_at: datetime

    @model_validator(mode="before")
    @classmethod
    def _names(cls, data: object) -> object:
        """Read the related names off a WorkOrder row."""
        if not hasattr(data, "apartment_id") or not hasattr(data, "overrides"):
            return data
        plain = [
            "id",
            "apartment_id",
            "contract_id",
            "parent_id",
            "kind",
            "priority",
            "title",
            "description",
            "required_skill",
            "status",
            "cancel_reason",
            "due_date",
            "scheduled_start",
            "scheduled_end",
            "duration_minutes",
            "technician_id",
            "notes",
            "completion_note",
            "completed_at",
            "reopened",
            "overrides",
            "version",
            "source",
            "preferred_time",
            "created_at",
            "updated_at",
        ]
        building = data.apartment.building
        return {
            **{name: getattr(data, name) for name in plain},
            "apartment": data.apartment.number,
            "building": building.name,
            "complex_id": building.complex_id,
            "complex": building.complex.name,
            "buyer": data.contract.buyer_full_name if data.contract else None,
            "technician": data.technician.name if data.technician else None,
            "overdue": is_overdue(data.status, data.due_date),
            "pictures": list(data.pictures),
        }


def is_overdue(status: OrderStatus, due: date) -> bool:
    """An open order past its due day (company calendar)."""
    return status not in (OrderStatus.DONE, OrderStatus.CANCELLED) and due < clock.today()


class WorkOrderFilter(PageParams):
    """Filters of the work orders list; the period is scheduled days (or due days of unscheduled orders)."""

    status: OrderStatus | None = None
    kind: OrderKind | None = None
    source: OrderSource | None = None
    technician_id: Id | None = None
    complex_id: Id | None = None
    date_from: Day | None = None
    date_to: Day | None = None

    @field_validator("date_to")
    @classmethod
    def _period(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("date_from")
        if value and start and value < start:
            raise ValueError("The end of the period is before its start.")
        return value


class SchedulePeriod(Input):
    """The days of the schedule: from and to inclusive, at most 31 days."""

    date_from: Day = Field(alias="from")
    date_to: Day = Field(alias="to")

    @model_validator(mode="after")
    def _span(self) -> SchedulePeriod:
        if self.date_to < self.date_from:
            raise ValueError("The end of the period is before its start.")
        if (self.date_to - self.date_from).days > 31:
            raise ValueError("Show at most 31 days at once.")
        return self


class TechnicianDay(BaseModel):
    """A technician with their orders in a period."""

    technician: TechnicianRead
    orders: list[WorkOrderRead]


class BoardOrder(NamedTuple):
    """What a block on the schedule board shows of an order, read as columns (no ORM objects)."""

    id: int
    kind: OrderKind
    status: OrderStatus
    version: int
    title: str
    duration_minutes: int
    scheduled_start: datetime
    scheduled_end: datetime
    technician_id: int
    apartment: str
    complex: str


class BoardRow(NamedTuple):
    """A technician's row on the board with their orders in the period."""

    technician: TechnicianRead
    orders: list[BoardOrder]


class Schedule(BaseModel):
    """The schedule: every active technician with their orders between two days."""

    date_from: date
    date_to: date
    technicians: list[TechnicianDay]


class DispatchHome(BaseModel):
    """The dispatcher's home: today's orders by technician, overdue orders, the queue and new requests."""

    today: list[TechnicianDay]
    overdue: list[WorkOrderRead]
    overdue_count: int
    unassigned_count: int
    new_requests: int
    new_buyer_requests: int = 0


class ServiceLinkRead(BaseModel):
    """A contract's buyer link as staff see it: its address while active."""

    contract_id: int
    active: bool
    url: str | None
    created_at: datetime | None
    created_by: str | None

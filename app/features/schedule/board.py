"""What the schedule board shows (lanes of technician x day with placed blocks) and how a drop
or a button on it becomes a partial edit of the order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from markupsafe import Markup
from pydantic import Field, model_validator
from sqlalchemy.orm import Session
from starlette.datastructures import State

from app.auth.models import User
from app.auth.permissions import P, can
from app.core import clock
from app.core.lru import RenderCache, cache_on
from app.core.paging import PageParams
from app.core.types import Day, Id, Input
from app.domain.dispatch.crud import work_orders
from app.domain.dispatch.models import WorkOrder
from app.domain.dispatch.schemas import MAX_DURATION, SchedulePeriod, WorkOrderRead
from app.web.i18n import current_language

OPENS = 8  # the board shows 08:00 ...
CLOSES = 20  # ... to 20:00
SPAN = (CLOSES - OPENS) * 60  # minutes across a lane
HOURS = tuple(range(OPENS, CLOSES))
BOARD_ENTRIES = 4  # rendered boards kept per process (a week of 900 orders is ~2 MB in memory)


@dataclass(frozen=True)
class Block:
    """An order placed in a lane: minutes from the board's opening and its length, clipped to the lane."""

    order: WorkOrderRead
    start: int
    length: int
    at: datetime  # the order's start on the company's clock


class BoardView(Input):
    """Which board: the week holding `date` (Monday to Sunday) or that one day."""

    view: Literal["week", "day"] = "week"
    date: Day | None = None


class BoardDrop(BoardView):
    """A drop or a button: the order, where it goes (technician, day, time), its length, or a shift in time."""

    order_id: Id
    version: int | None = Field(None, ge=1, le=2**31 - 1)
    technician_id: Id | None = None
    day: Day | None = None
    time: str | None = Field(None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    duration_minutes: int | None = Field(None, ge=15, le=MAX_DURATION)
    shift: int | None = Field(None, ge=-MAX_DURATION, le=MAX_DURATION)
    unassign: bool = False
    force: bool = False

    @model_validator(mode="after")
    def _where(self) -> BoardDrop:
        if (self.day is None) != (self.time is None):
            raise ValueError("Choose both the day and the time.")
        return self


def anchor(view: BoardView) -> date:
    """The day the board is about: the chosen one, else the company's today."""
    return view.date or clock.today()


def days_of(view: BoardView) -> list[date]:
    """The days shown: Monday to Sunday of the week, or the one day."""
    day = anchor(view)
    if view.view == "day":
        return [day]
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=n) for n in range(7)]


def _minutes(moment: datetime, day: date) -> int:
    """Minutes from the board's opening on `day` to `moment` (company clock), kept within the lane."""
    local = clock.local(moment)
    if local.date() < day:
        return 0
    if local.date() > day:
        return SPAN
    return min(max(local.hour * 60 + local.minute - OPENS * 60, 0), SPAN)


def lanes_of(technicians: list, days: list[date]) -> dict[tuple[int, date], list[Block]]:
    """Each technician's blocks per shown day (an order over midnight shows in each of its days)."""
    lanes: dict[tuple[int, date], list[Block]] = {(row.technician.id, d): [] for row in technicians for d in days}
    for row in technicians:
        for order in row.orders:
            at = clock.local(order.scheduled_start)
            first, last = at.date(), clock.local(order.scheduled_end).date()
            for day in days:
                if first <= day <= last:
                    start = _minutes(order.scheduled_start, day)
                    end = _minutes(order.scheduled_end, day)
                    block = Block(order, min(start, SPAN - 15), max(end - start, 15), at)
                    lanes[(row.technician.id, day)].append(block)
    return lanes


@dataclass(frozen=True)
class BoardKey:
    """What the live part of a board depends on: nothing else goes into it."""

    version: int  # work_orders.board_version: moves with any change the board shows
    view: str
    anchor: date
    today: date
    base: str
    writer: bool
    language: str


@dataclass(frozen=True)
class RenderedBoard:
    """The live part of a board, rendered."""

    html: Markup

    @property
    def size(self) -> int:
        """Roughly how many bytes the entry holds."""
        return len(self.html) * 2 + 128


def board_cache(state: State) -> RenderCache:
    """The rendered boards of one app (kept on app.state, made on first use)."""
    return cache_on(state, "schedule_board_cache", _new_board_cache)


def _new_board_cache() -> RenderCache:
    return RenderCache(max_entries=BOARD_ENTRIES, max_bytes=BOARD_ENTRIES * 4 * 1024 * 1024)


def page_context(view: BoardView, base: str, user: User) -> dict:
    """What the page around the live part shows: the days, links to the weeks around it, who may drop."""
    days = days_of(view)
    step = timedelta(days=7 if view.view == "week" else 1)
    return {
        "view": view.view,
        "days": days,
        "anchor": anchor(view),
        "previous": (days[0] - step).isoformat(),
        "next": (days[0] + step).isoformat(),
        "base": base,
        "writer": can(user, P.WORK_ORDERS_WRITE),
    }


def board_context(db: Session, user: User, view: BoardView, base: str, version: int | None = None) -> dict:
    """Everything the live part shows: days, technicians' lanes, the queue, the live version, links."""
    context = page_context(view, base, user)
    days = context["days"]
    rows = work_orders.board(db, user, SchedulePeriod.model_validate({"from": days[0], "to": days[-1]}))
    return context | {
        "technicians": rows,
        "lanes": lanes_of(rows, days),
        "queue": work_orders.unassigned(db, user, PageParams(page_size=50)),
        "version": work_orders.board_version(db, user) if version is None else version,
        "hours": HOURS,
        "opens": OPENS,
        "span": SPAN,
    }


@dataclass(frozen=True)
class Placement:
    """Where an order sits: its technician and its time (None while it waits in the queue)."""

    technician_id: int | None
    start: datetime | None
    end: datetime | None

    @classmethod
    def of(cls, order: WorkOrder) -> Placement:
        """The placement of `order` now."""
        return cls(order.technician_id, order.scheduled_start, order.scheduled_end)

    @property
    def queued(self) -> bool:
        """True while the order waits in the unassigned queue."""
        return self.technician_id is None or self.start is None


def patch_context(
    db: Session, user: User, view: BoardView, base: str, was: Placement, now: Placement, current: bool
) -> dict:
    """What a drop answers: the shown lanes of the technicians it touched and, when the order left or
    joined the queue, the queue; the new version only when the page was `current` before the drop."""
    context = page_context(view, base, user)
    days = context["days"]
    touched = {p.technician_id for p in (was, now) if p.technician_id is not None}
    period = SchedulePeriod.model_validate({"from": days[0], "to": days[-1]})
    rows = work_orders.board(db, user, period, technician_ids=touched) if touched else []
    queue = work_orders.unassigned(db, user, PageParams(page_size=50)) if was.queued or now.queued else None
    version = work_orders.board_version(db, user) if current else None
    return context | {"technicians": rows, "lanes": lanes_of(rows, days), "queue": queue, "version": version}


def board_key(version: int, view: BoardView, base: str, user: User) -> BoardKey:
    """The cache key of a board for `user` at `version`."""
    writer = can(user, P.WORK_ORDERS_WRITE)
    return BoardKey(version, view.view, anchor(view), clock.today(), base, writer, current_language.get())


def patch_of(db: Session, user: User, drop: BoardDrop) -> dict:
    """The partial edit a drop asks for: where and how long, with the version the board showed."""
    values: dict = {"force": drop.force}
    if drop.version is not None:
        values["version"] = drop.version
    if drop.unassign:
        return values | {"technician_id": None, "scheduled_start": None}
    if drop.technician_id is not None:
        values["technician_id"] = drop.technician_id
    if drop.day is not None and drop.time is not None:
        values["scheduled_start"] = datetime.combine(drop.day, time.fromisoformat(drop.time)).isoformat()
    elif drop.shift:
        current = work_orders.get(db, user, drop.order_id).scheduled_start
        if current is not None:
            moved = clock.local(current) + timedelta(minutes=drop.shift)
            values["scheduled_start"] = moved.replace(tzinfo=None).isoformat()
    if drop.duration_minutes is not None:
        values["duration_minutes"] = drop.duration_minutes
    return values

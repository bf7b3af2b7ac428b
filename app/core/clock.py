"""The one clock: the current moment in UTC and the company's calendar (TIME_ZONE).

Tests move time with time-machine; nothing else patches the clock. The company's time zone is
read from settings (TIME_ZONE), and create_app sets the zone of the settings it is given.
Every "today", "this month" and date filter goes through here: a company day runs from its
local midnight to the next, and its bounds are compared with stored UTC moments.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from settings import settings as _settings

_zone = ZoneInfo(_settings.time_zone)


def use_time_zone(name: str) -> None:
    """Make `name` (an IANA zone name) the company's calendar."""
    global _zone
    _zone = ZoneInfo(name)


def company_zone() -> ZoneInfo:
    """The company's time zone."""
    return _zone


def now() -> datetime:
    """The current moment, timezone-aware, in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in the company's calendar."""
    return now().astimezone(_zone).date()


def local(moment: datetime) -> datetime:
    """An aware moment as the company's wall clock shows it."""
    return moment.astimezone(_zone)


def from_local(wall: datetime) -> datetime:
    """A moment read off the company's wall clock (naive; an aware one keeps its zone), in UTC."""
    if wall.tzinfo is None:
        wall = wall.replace(tzinfo=_zone)
    return wall.astimezone(UTC)


def day_start(day: date) -> datetime:
    """The first moment of `day` in the company's calendar, in UTC."""
    return datetime.combine(day, time.min, tzinfo=_zone).astimezone(UTC)


def day_end(day: date) -> datetime:
    """The first moment after `day` in the company's calendar (the next local midnight), in UTC."""
    return day_start(day + timedelta(days=1))


def day_range(date_from: date | None, date_to: date | None) -> tuple[datetime | None, datetime | None]:
    """UTC bounds [start, end) of the company days `date_from`..`date_to` (inclusive); None stays open."""
    start = day_start(date_from) if date_from is not None else None
    end = day_end(date_to) if date_to is not None else None
    return start, end


def end_of_today() -> datetime:
    """The coming local midnight, in UTC: what is before it is due today or earlier."""
    return day_end(today())


def month_start(day: date) -> date:
    """The first day of the month of `day`."""
    return day.replace(day=1)


def week_end(day: date) -> date:
    """The last day (Sunday) of the week of `day`."""
    return day + timedelta(days=6 - day.weekday())

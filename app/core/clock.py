"""The one clock: the current moment in UTC and the company's calendar (TIME_ZONE).

Tests move time with time-machine; nothing else patches the clock. The company's time zone is
read from settings (TIME_ZONE), and create_app sets the zone of the settings it is given.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from settings import settings as _settings

_zone = ZoneInfo(_settings.time_zone)


def use_time_zone(name: str) -> None:
    """Make `name` (an IANA zone such as Asia/Tashkent) the company's calendar."""
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


def day_start(day: date) -> datetime:
    """The first moment of `day` in the company's calendar, in UTC."""
    return datetime.combine(day, time.min, tzinfo=_zone).astimezone(UTC)

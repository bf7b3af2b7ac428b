"""When a notification may go: quiet hours in the company's time and the send keys."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from app.core import clock


def quiet_until(moment: datetime, quiet: tuple[time, time] | None) -> datetime | None:
    """The end of the quiet hours `moment` falls in (UTC), or None when it is not within them."""
    if quiet is None:
        return None
    start, end = quiet
    wall = clock.local(moment)
    at = wall.time().replace(tzinfo=None)
    inside = start <= at < end if start < end else at >= start or at < end
    if not inside:
        return None
    day = wall.date() if at < end else wall.date() + timedelta(days=1)
    return clock.from_local(datetime.combine(day, end))


def due_key(moment: datetime) -> str:
    """A moment as part of a send key (UTC, to the second)."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%S")

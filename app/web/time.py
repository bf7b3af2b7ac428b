"""The company's calendar: today's date in its time zone."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from app.db import utcnow


def company_today(settings) -> date:
    """Today's date in the company's time zone (TIME_ZONE)."""
    return utcnow().astimezone(ZoneInfo(settings.time_zone)).date()

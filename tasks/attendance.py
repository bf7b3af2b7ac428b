"""Attendance: a beat job closes shifts left open past the company's midnight ("not checked out")."""

from __future__ import annotations

from celery import shared_task

from app.db import write_session
from app.domain.staff.attendance import attendance
from settings import Settings
from settings import settings as default_settings


def close_forgotten_shifts_now(config: Settings | None = None) -> int:
    """Close every shift open from an earlier company day in one transaction; returns how many."""
    config = config or default_settings
    with write_session(config.database_url) as db:
        return attendance.close_forgotten(db)


@shared_task(name="tasks.attendance.close_forgotten_shifts")
def close_forgotten_shifts() -> int:
    """Celery job: close yesterday's forgotten shifts (beat: just after midnight, and hourly as a safety net)."""
    return close_forgotten_shifts_now()

"""Booking expiry: a beat job every minute frees apartments whose bookings ran out."""

from __future__ import annotations

from celery import shared_task

from app.db import write_session
from app.domain.bookings.crud import bookings
from settings import Settings
from settings import settings as default_settings


def expire_bookings_now(config: Settings | None = None) -> int:
    """End every active booking past its expiry in one transaction; returns how many."""
    config = config or default_settings
    with write_session(config.database_url) as db:
        return bookings.expire_due(db)


@shared_task(name="tasks.bookings.expire_bookings")
def expire_bookings() -> int:
    """Celery job: expire overdue bookings (scheduled every minute by beat)."""
    return expire_bookings_now()

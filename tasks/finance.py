"""The daily overdue job: marks instalments past due and not fully paid (the dashboards read it)."""

from __future__ import annotations

from celery import shared_task

from app.core import clock
from app.db import write_session
from app.domain.finance.crud import payments
from settings import Settings
from settings import settings as default_settings


def mark_overdue_now(config: Settings | None = None) -> int:
    """Mark today's newly overdue instalments in one transaction; returns how many."""
    config = config or default_settings
    with write_session(config.database_url) as db:
        return payments.mark_overdue(db, clock.today())


@shared_task(name="tasks.finance.mark_overdue")
def mark_overdue() -> int:
    """Celery job: mark overdue instalments (daily, by beat); the bot will notify from this later."""
    return mark_overdue_now()

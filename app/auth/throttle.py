"""Login throttling: too many recent failures for one username or one address wait a while."""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.auth.models import LoginFailure
from app.core import clock
from settings import Settings


def seconds_to_wait(db: Session, settings: Settings, username: str, address: str) -> int:
    """0 when a login may be tried now, else seconds until the oldest counted failure expires."""
    window = timedelta(seconds=settings.login_window_seconds)
    since = clock.now() - window
    checks = (
        (LoginFailure.username == username, settings.login_max_failures_per_user),
        (LoginFailure.address == address, settings.login_max_failures_per_ip),
    )
    wait = 0
    for condition, limit in checks:
        count, oldest = db.execute(
            select(func.count(), func.min(LoginFailure.at)).where(condition, LoginFailure.at > since)
        ).one()
        if count >= limit and oldest is not None:
            oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=since.tzinfo)
            wait = max(wait, math.ceil((oldest + window - clock.now()).total_seconds()))
    return max(wait, 0)


def record_failure(db: Session, username: str, address: str) -> None:
    """Remember a failed attempt (and forget ones older than a day)."""
    db.add(LoginFailure(username=username, address=address))
    db.execute(delete(LoginFailure).where(LoginFailure.at < clock.now() - timedelta(days=1)))
    db.flush()


def clear_failures(db: Session, username: str) -> None:
    """A successful login forgets that username's failures."""
    db.execute(delete(LoginFailure).where(LoginFailure.username == username))
    db.flush()

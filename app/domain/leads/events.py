"""The events leads announce after their commit (subscribers: tasks/notify.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.core import clock, events
from app.db import after_commit


def assigned_event(db: Session, lead_id: int, user_id: int) -> None:
    """Announce, once `db` commits, that the lead was given to the user (by hand or in turn)."""
    after_commit(db, events.LEAD_ASSIGNED, lead_id=lead_id, user_id=user_id, at=clock.now().isoformat())

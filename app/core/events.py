"""Domain events delivered after the commit that made them true.

The domain says what happened (`app.db.after_commit(db, "lead_assigned", ...)`); whoever cares
(the notification jobs in tasks/notify.py) subscribes here. The domain never imports the
subscribers, and a subscriber never sees an event whose transaction was rolled back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("crm.events")

LEAD_ASSIGNED = "lead_assigned"  # lead_id, user_id, at (ISO moment of the assignment)
EXTENSION_DECIDED = "extension_decided"  # booking_id, user_id (the requester), approved, at

Subscriber = Callable[[dict[str, Any]], None]
_subscribers: dict[str, list[Subscriber]] = {}


def subscribe(kind: str, subscriber: Subscriber) -> None:
    """Call `subscriber(payload)` after each commit that carried a `kind` event (once per function)."""
    found = _subscribers.setdefault(kind, [])
    if subscriber not in found:
        found.append(subscriber)


def publish(kind: str, payload: dict[str, Any]) -> None:
    """Hand a committed event to its subscribers; a failing subscriber is logged, never raised."""
    for subscriber in _subscribers.get(kind, ()):
        try:
            subscriber(payload)
        except Exception:
            log.exception("subscriber of %s failed", kind)

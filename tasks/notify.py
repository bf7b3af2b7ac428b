"""Telegram notifications, one Celery job per kind, each safe to run twice.

A job looks (read-only) whether the recipient has a reachable chat and the kind switched on,
whether quiet hours hold it until the morning (the key is journaled as deferred and beat releases
it), and whether there is still something to say; then it books a send slot (tasks/limiter.py:
~30 messages/s overall, 1 per chat per interval; a job that must wait is delayed, never dropped),
claims the key in `sent_notifications` in a committed transaction of its own, sends, and records
the result. A duplicate or redelivered job finds the key taken and sends nothing. 403 marks the
chat unreachable; 429 waits `retry_after`; 5xx and network errors retry with exponential backoff
up to NOTIFY_MAX_RETRIES, the key released to "pending" in between (the retry claims it again; beat
sends a pending key nothing took for half an hour to a job once more).

Triggers: a lead assigned and an extension decided publish events after their commit
(app/core/events.py), subscribed below; callbacks due, bookings expiring, the MOP's digest and
the release of deferred keys come from beat (tasks/celery_app.py).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from celery import Task, shared_task
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core import clock, events
from app.db import session_factory, transaction, write_session
from app.domain.notify.crud import SendKey, notify
from app.domain.notify.models import Delivery, NotifyKind
from app.domain.notify.rules import due_key, quiet_until
from app.domain.telegram.crud import telegram
from app.web.i18n import current_language
from bot import notifications
from bot.notifications import Outgoing, TelegramRefused
from settings import Settings
from settings import settings as default_settings
from tasks.limiter import limiter_for

log = logging.getLogger("crm.notify")

Builder = Callable[[Session, User, int, str, str], Outgoing | None]
BUILDERS: dict[NotifyKind, Builder] = {
    NotifyKind.NEW_LEAD: notifications.new_lead,
    NotifyKind.CALLBACK_DUE: notifications.callback_due,
    NotifyKind.BOOKING_EXPIRING: notifications.booking_expiring,
    NotifyKind.EXTENSION_DECISION: notifications.extension_decision,
    NotifyKind.OVERDUE_DIGEST: notifications.overdue_digest,
}
SETTLED = frozenset({Delivery.SENT, Delivery.UNREACHABLE, Delivery.FAILED, Delivery.DROPPED})
SLEEP_AT_MOST = 1.5  # a wait this short (a chat's interval, the overall window) is slept in the job
SLEPT_AT_MOST = 10.0  # after sleeping this long in all, the job is delayed (countdown) instead
INLINE_WAIT_AT_MOST = 30.0  # without a broker a job sleeps its waits, this long at most each
BACKOFF_AT_MOST = 300


@dataclass(frozen=True)
class Outcome:
    """How one attempt ended: a final word, or a wait (and whether it counts as a retry)."""

    status: str
    wait: float = 0.0
    retry: bool = False


@contextmanager
def _reading(config: Settings) -> Any:
    with transaction(session_factory(config.database_url)) as db:
        yield db


def _limiter(config: Settings) -> Any:
    redis_url = config.redis_url or (config.broker_url if config.broker_url.startswith("redis") else "")
    return limiter_for(redis_url, config.notify_rate_per_second, config.notify_chat_interval_ms)


def _look(config: Settings, key: SendKey) -> tuple[str, int, Outgoing | None]:
    """Read-only: why not to send ("" to go on), the chat, and the message."""
    with _reading(config) as db:
        found = notify.recipient(db, key)
        if found is None:
            return "no chat", 0, None
        if found.status in SETTLED:
            return "duplicate", found.chat_id, None
        if not found.enabled:
            return "switched off", found.chat_id, None
        if not found.urgent and quiet_until(clock.now(), config.quiet_hours) is not None:
            return "quiet", found.chat_id, None
        language = current_language.set(found.user.language)
        try:
            message = BUILDERS[key.kind](db, found.user, key.object_id, key.due_key, config.public_base_url)
        finally:
            current_language.reset(language)
        return "", found.chat_id, message


def _slot(config: Settings, chat: int, inline: bool) -> tuple[float, str]:
    """Take a send slot, sleeping out short waits: (0, token), or the wait left when the job should be delayed."""
    limiter, slept = _limiter(config), 0.0
    while True:
        wait, token = limiter.acquire(chat)
        if not wait:
            return 0.0, token
        if not inline and (wait > SLEEP_AT_MOST or slept > SLEPT_AT_MOST):
            return wait + random.uniform(0, 0.2), ""
        nap = min(wait, INLINE_WAIT_AT_MOST) + random.uniform(0, 0.02)
        time.sleep(nap)
        slept += nap


def attempt(config: Settings, key: SendKey, inline: bool = False) -> Outcome:
    """One try at sending the notification `key` (see the module's docstring)."""
    if not config.telegram_bot_token:
        return Outcome("bot off")
    why, chat, message = _look(config, key)
    if why == "quiet":
        with write_session(config.database_url) as db:
            until = quiet_until(clock.now(), config.quiet_hours)
            notify.defer(db, key, until or clock.now())
        return Outcome("deferred")
    if why:
        return Outcome(why)
    if message is None:
        with write_session(config.database_url) as db:
            if notify.claim(db, key):
                notify.settle(db, key, Delivery.DROPPED, "nothing to say any more")
        return Outcome("dropped")
    wait, slot = _slot(config, chat, inline)
    if wait:
        return Outcome("wait", wait)
    try:
        with write_session(config.database_url) as db:
            if not notify.claim(db, key):
                return Outcome("duplicate")
        notifications.send_message(config.telegram_api_base, config.telegram_bot_token, chat, message)
    except TelegramRefused as exc:
        return _refused(config, key, chat, exc)
    finally:
        _limiter(config).settle(chat, slot)
    with write_session(config.database_url) as db:
        notify.settle(db, key, Delivery.SENT)
    return Outcome("sent")


def _refused(config: Settings, key: SendKey, chat: int, exc: TelegramRefused) -> Outcome:
    """Record a refusal: 403 unreachable, 429 and 5xx pending a retry, anything else failed."""
    with write_session(config.database_url) as db:
        if exc.status == 403:
            notify.settle(db, key, Delivery.UNREACHABLE, exc.description)
            telegram.set_reachable(db, chat, False)
            return Outcome("unreachable")
        if exc.status == 429 or exc.status == 0 or exc.status >= 500:
            notify.settle(db, key, Delivery.PENDING, str(exc))
            return Outcome("retry", float(exc.retry_after or 0), retry=True)
        notify.settle(db, key, Delivery.FAILED, str(exc))
        log.warning("telegram refused %s: %s", key, exc)
        return Outcome("failed")


def backoff(retries: int) -> float:
    """Seconds before retry number `retries + 1` after a 5xx: 2, 4, 8, ... at most 5 minutes."""
    return min(2.0 ** (retries + 1), BACKOFF_AT_MOST) + random.uniform(0, 1)


def _give_up(config: Settings, key: SendKey, error: str) -> str:
    with write_session(config.database_url) as db:
        notify.settle(db, key, Delivery.FAILED, error)
    return "failed"


def deliver(task: Task, kind: NotifyKind, object_id: int, recipient_id: int, key: str) -> str:
    """Run a notification job: attempt, then delay, retry or give up as the outcome says."""
    config, send_key = default_settings, SendKey(kind, object_id, recipient_id, key)
    inline = bool(task.request.is_eager)
    retries = task.request.retries or 0
    while True:
        outcome = attempt(config, send_key, inline)
        if outcome.status == "wait":  # only without inline: the pace asks for a later slot
            task.apply_async((object_id, recipient_id, key), countdown=outcome.wait)
            return "delayed"
        if not outcome.retry:
            return outcome.status
        if retries >= config.notify_max_retries:
            return _give_up(config, send_key, f"gave up after {retries} retries")
        countdown = outcome.wait or backoff(retries)
        if not inline:
            raise task.retry(countdown=countdown, max_retries=config.notify_max_retries)
        time.sleep(min(countdown, INLINE_WAIT_AT_MOST))
        retries += 1


def _job(kind: NotifyKind) -> Task:
    def run(self: Task, object_id: int, recipient_id: int, key: str) -> str:
        return deliver(self, kind, object_id, recipient_id, key)

    run.__doc__ = f"Celery job: the {kind.value} notification of an object to a recipient (once per key)."
    run.__name__ = kind.value
    return shared_task(name=f"tasks.notify.{kind.value}", bind=True, acks_late=True, max_retries=None)(run)


new_lead = _job(NotifyKind.NEW_LEAD)
callback_due = _job(NotifyKind.CALLBACK_DUE)
booking_expiring = _job(NotifyKind.BOOKING_EXPIRING)
extension_decision = _job(NotifyKind.EXTENSION_DECISION)
overdue_digest = _job(NotifyKind.OVERDUE_DIGEST)
JOBS: dict[NotifyKind, Task] = {
    NotifyKind.NEW_LEAD: new_lead,
    NotifyKind.CALLBACK_DUE: callback_due,
    NotifyKind.BOOKING_EXPIRING: booking_expiring,
    NotifyKind.EXTENSION_DECISION: extension_decision,
    NotifyKind.OVERDUE_DIGEST: overdue_digest,
}


_inline = ThreadPoolExecutor(max_workers=1, thread_name_prefix="notify")  # without a broker: in order, off the request


def enqueue(keys: list[SendKey]) -> int:
    """Send each key's job (nothing while the bot is off); returns how many.

    Without a broker the jobs run in this process, one after another on a thread of their own, so
    the request that assigned 500 leads is not held while their messages are paced out."""
    if not default_settings.telegram_bot_token:
        return 0
    for key in keys:
        job = JOBS[key.kind]
        if job.app.conf.task_always_eager:
            _inline.submit(job.apply, key.args())
        else:
            job.delay(*key.args())
    return len(keys)


def _scan(find: Callable[[Session], list[SendKey]]) -> int:
    if not default_settings.telegram_bot_token:
        return 0
    with _reading(default_settings) as db:
        keys = find(db)
    return enqueue(keys)


@shared_task(name="tasks.notify.scan_callbacks")
def scan_callbacks() -> int:
    """Beat, every minute: a job for each callback due within 15 minutes not yet announced."""
    return _scan(notify.callbacks_due_soon)


@shared_task(name="tasks.notify.scan_bookings")
def scan_bookings() -> int:
    """Beat, every 5 minutes: a job for each booking running out within 6 hours not yet announced."""
    return _scan(notify.bookings_expiring)


@shared_task(name="tasks.notify.send_digests")
def send_digests() -> int:
    """Beat, each morning: today's overdue-callback digest for every MOP."""
    return _scan(notify.digest_keys)


@shared_task(name="tasks.notify.release_deferred")
def release_deferred() -> int:
    """Beat, every minute: the notifications held by quiet hours that may go now."""
    if not default_settings.telegram_bot_token:
        return 0
    with write_session(default_settings.database_url) as db:
        keys = notify.release_deferred(db)
    return enqueue(keys)


def _moment(payload: dict[str, Any]) -> str:
    return due_key(datetime.fromisoformat(payload["at"]))


def on_lead_assigned(payload: dict[str, Any]) -> None:
    """After the commit that gave a lead to someone: tell them."""
    enqueue([SendKey(NotifyKind.NEW_LEAD, payload["lead_id"], payload["user_id"], _moment(payload))])


def on_extension_decided(payload: dict[str, Any]) -> None:
    """After the commit of an extension decision: tell the requester."""
    word = "approved" if payload["approved"] else "rejected"
    key = SendKey(
        NotifyKind.EXTENSION_DECISION, payload["booking_id"], payload["user_id"], f"{word}:{_moment(payload)}"
    )
    enqueue([key])


events.subscribe(events.LEAD_ASSIGNED, on_lead_assigned)
events.subscribe(events.EXTENSION_DECIDED, on_extension_decided)

"""Login throttling that slows the attacker, not the account's owner.

Failures are counted per (username, address), per address, and per username:
- one address guessing one account's password waits out the window (hard 429 for that pair);
- one address failing for many accounts waits out the window (429 for that address);
- many addresses failing for one account slow it down: one try per LOGIN_SLOWDOWN_SECONDS,
  never a lock.
A browser that has logged in to the account before carries a signed "known device" cookie:
its logins pass all three counters, until that browser itself fails too often.
"""

from __future__ import annotations

import math
import secrets
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.orm import Session

from app.auth.models import LoginFailure
from app.core import clock
from settings import Settings

DEVICE_COOKIE = "crm_device"
DEVICE_DAYS = 180
_DEVICE_SALT = "known-device"


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_DEVICE_SALT)


def known_device(secret: str, cookie: str | None, username: str) -> str | None:
    """The browser id of a valid known-device cookie issued for `username`, else None."""
    if not cookie:
        return None
    try:
        data = _serializer(secret).loads(cookie, max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != username or not isinstance(data.get("d"), str):
        return None
    return data["d"]


def device_cookie(secret: str, username: str, cookie: str | None) -> str:
    """A fresh known-device cookie for `username` (keeping this browser's id when it had one)."""
    device = known_device(secret, cookie, username) or secrets.token_urlsafe(12)
    return _serializer(secret).dumps({"u": username, "d": device})


def _aware(value: datetime, like: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=like.tzinfo)


def _until_window_ends(
    db: Session, settings: Settings, since: datetime, condition: ColumnElement[bool], limit: int
) -> int:
    """Seconds until failures matching `condition` drop below `limit` (0 when already below)."""
    count, oldest = db.execute(
        select(func.count(), func.min(LoginFailure.at)).where(condition, LoginFailure.at > since)
    ).one()
    if count < limit or oldest is None:
        return 0
    ends = _aware(oldest, since) + timedelta(seconds=settings.login_window_seconds)
    return max(1, math.ceil((ends - clock.now()).total_seconds()))


def seconds_to_wait(db: Session, settings: Settings, username: str, address: str, device: str | None = None) -> int:
    """0 when a login may be tried now, else how many seconds to wait (see the module's rules)."""
    now = clock.now()
    since = now - timedelta(seconds=settings.login_window_seconds)
    pair_limit = settings.login_max_failures_per_user_address
    if device and not _until_window_ends(db, settings, since, LoginFailure.device == device, pair_limit):
        return 0  # a known browser of this account, not failing itself
    pair = (LoginFailure.username == username) & (LoginFailure.address == address)
    wait = max(
        _until_window_ends(db, settings, since, pair, pair_limit),
        _until_window_ends(db, settings, since, LoginFailure.address == address, settings.login_max_failures_per_ip),
    )
    if wait:
        return wait
    count, last = db.execute(
        select(func.count(), func.max(LoginFailure.at)).where(
            LoginFailure.username == username, LoginFailure.at > since
        )
    ).one()
    if count >= settings.login_max_failures_per_user and last is not None:
        next_try = _aware(last, now) + timedelta(seconds=settings.login_slowdown_seconds)
        return max(0, math.ceil((next_try - now).total_seconds()))
    return 0


def record_failure(db: Session, username: str, address: str, device: str | None = None) -> None:
    """Remember a failed attempt (and forget ones older than a day)."""
    db.add(LoginFailure(username=username, address=address, device=device))
    db.execute(delete(LoginFailure).where(LoginFailure.at < clock.now() - timedelta(days=1)))
    db.flush()


def clear_failures(db: Session, username: str, address: str, device: str | None = None) -> None:
    """A successful login forgets the failures it was counted by: this account from this
    address, and this browser's (other addresses' failures stay: they may be an attack)."""
    mine = (
        or_(LoginFailure.address == address, LoginFailure.device == device)
        if device
        else (LoginFailure.address == address)
    )
    db.execute(delete(LoginFailure).where(LoginFailure.username == username, mine))
    db.flush()

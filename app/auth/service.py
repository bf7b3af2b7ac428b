"""Logging in: credentials check with throttling, shared by the form and the token API."""

from __future__ import annotations

import math

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from app.auth import throttle
from app.auth.models import User
from app.auth.passwords import hash_password, needs_rehash, verify_password
from app.auth.sessions import start_session
from app.auth.tokens import issue_token
from app.core.errors import Invalid, TooManyRequests
from app.db import write_session
from settings import Settings


def _too_many(wait: int) -> TooManyRequests:
    """The 429 with when to try again (seconds under a minute, else minutes)."""
    if wait < 60:
        return TooManyRequests("Too many failed attempts. Try again in %(seconds)s s.", retry_after=wait, seconds=wait)
    minutes = math.ceil(wait / 60)
    return TooManyRequests("Too many failed attempts. Try again in %(minutes)s min.", retry_after=wait, minutes=minutes)


def authenticate(
    db: Session, settings: Settings, username: str, password: str, address: str, device_cookie: str | None = None
) -> User:
    """The active user with these credentials; Invalid or TooManyRequests otherwise.

    `device_cookie` is the browser's known-device cookie: a browser that logged in to this
    account before is not held back by other people's failures (see app.auth.throttle).
    """
    username = username.strip().lower()
    device = throttle.known_device(settings.secret_key, device_cookie, username)
    wait = throttle.seconds_to_wait(db, settings, username, address, device)
    if wait:
        raise _too_many(wait)
    user = db.scalar(select(User).where(User.username == username))
    if not verify_password(user.password_hash if user else None, password) or not user.is_active:
        throttle.record_failure(db, username, address, device)
        raise Invalid("Wrong username or password.", field="password")
    throttle.clear_failures(db, username, address, device)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)  # older, costlier parameters: today's from now on
    return user


def session_token(
    settings: Settings, user: User, *, via: str = "cookie", address: str = "", db: Session | None = None
) -> str:
    """Start a server-side session for `user` and return its token (cookie or bearer).

    The session row goes into `db`, by default the session `user` was loaded in; for a
    detached user (a script, the CLI) it is committed in a unit of work of its own.
    """
    db = db or object_session(user)
    lifetime = settings.session_hours * 3600
    if db is None:
        with write_session(settings.database_url) as own:
            session_id = start_session(own, user, lifetime, via=via, address=address)
    else:
        session_id = start_session(db, user, lifetime, via=via, address=address)
    return issue_token(settings.secret_key, user.id, user.token_version, session_id, lifetime)

"""Logging in: credentials check with throttling, shared by the form and the token API."""

from __future__ import annotations

import math

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import throttle
from app.auth.models import User
from app.auth.passwords import verify_password
from app.auth.tokens import issue_token
from app.core.errors import Invalid, TooManyRequests
from settings import Settings


def authenticate(db: Session, settings: Settings, username: str, password: str, address: str) -> User:
    """The active user with these credentials; Invalid or TooManyRequests otherwise."""
    username = username.strip().lower()
    wait = throttle.seconds_to_wait(db, settings, username, address)
    if wait:
        minutes = max(1, math.ceil(wait / 60))
        raise TooManyRequests(
            "Too many failed attempts. Try again in %(minutes)s min.", retry_after=wait, minutes=minutes
        )
    user = db.scalar(select(User).where(User.username == username))
    if not verify_password(user.password_hash if user else None, password) or not user.is_active:
        throttle.record_failure(db, username, address)
        raise Invalid("Wrong username or password.", field="password")
    throttle.clear_failures(db, username)
    return user


def session_token(settings: Settings, user: User) -> str:
    """A session/bearer token for `user` with the configured lifetime."""
    return issue_token(settings.secret_key, user.id, user.token_version, settings.session_hours * 3600)

"""Server-side sessions: each issued cookie or bearer token has a row; logging out revokes it."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.auth.models import AuthSession, User
from app.auth.tokens import TokenClaims
from app.core import clock


def start_session(db: Session, user: User, lifetime_s: int, via: str = "cookie", address: str = "") -> str:
    """Record a new session of `user` (forgetting their expired ones); returns its id."""
    now = clock.now()
    db.execute(delete(AuthSession).where(AuthSession.user_id == user.id, AuthSession.expires_at < now))
    session = AuthSession(
        id=secrets.token_urlsafe(16),
        user_id=user.id,  # only the id: `user` may belong to another (or no) session
        via=via,
        address=address[:64],
        created_at=now,
        expires_at=now + timedelta(seconds=lifetime_s),
    )
    db.add(session)
    db.flush()
    return session.id


def session_user(db: Session, claims: TokenClaims) -> User | None:
    """The active user of a live session the claims name, with a current token version.

    One query: the session row by primary key joined to its user (by primary key).
    """
    user = db.scalar(
        select(User)
        .join(AuthSession, AuthSession.user_id == User.id)
        .where(AuthSession.id == claims.session_id, AuthSession.revoked_at.is_(None))
    )
    if user is None or user.id != claims.user_id or not user.is_active or user.token_version != claims.token_version:
        return None
    return user


def end_session(db: Session, claims: TokenClaims) -> None:
    """Revoke the session the claims name (its token stops working at once)."""
    db.execute(
        update(AuthSession)
        .where(AuthSession.id == claims.session_id, AuthSession.user_id == claims.user_id)
        .where(AuthSession.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
    db.flush()


def end_all_sessions(db: Session, user_id: int) -> None:
    """Revoke every live session of a user."""
    db.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
    db.flush()

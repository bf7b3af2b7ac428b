"""Linking Telegram chats to staff accounts, the webhook's update dedup and the bot's lead list."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app.auth.models import User
from app.auth.permissions import P, can
from app.core import clock
from app.core.errors import Forbidden, Invalid, TooManyRequests
from app.domain.audit.crud import audit
from app.domain.leads.crud import leads
from app.domain.leads.models import Lead, LeadComment, LeadStatus
from app.domain.telegram.models import TelegramLink, TelegramLinkCode, TelegramLinkFailure, TelegramUpdate

CODE_TTL = timedelta(minutes=10)
FAILURE_WINDOW = timedelta(minutes=10)
MAX_FAILURES = 5  # wrong codes a chat may send within the window
UPDATE_TTL = timedelta(days=1)  # Telegram retries a delivery for far less than this


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


@dataclass(frozen=True)
class LinkCode:
    """A fresh one-time code (shown once) and when it stops working."""

    code: str
    expires_at: datetime


@dataclass(frozen=True)
class LeadList:
    """One page of the bot's lead list."""

    items: list[Lead]
    total: int
    page: int
    pages: int


class TelegramCRUD:
    """Links between staff accounts and Telegram chats."""

    def issue_code(self, db: Session, actor: User) -> LinkCode:
        """A one-time code, valid 10 minutes, that links the chat which sends it to the actor."""
        if not can(actor, P.TELEGRAM_LINK):
            raise Forbidden("You may not link Telegram.")
        code, now = secrets.token_urlsafe(24), clock.now()
        db.execute(delete(TelegramLinkCode).where(TelegramLinkCode.user_id == actor.id))
        db.add(TelegramLinkCode(code=_digest(code), user_id=actor.id, expires_at=now + CODE_TTL))
        db.flush()
        return LinkCode(code, now + CODE_TTL)

    def link(self, db: Session, chat_id: int, code: str) -> User:
        """Link `chat_id` to the account whose unused, unexpired code this is (moving any old link)."""
        now = clock.now()
        failures = db.scalar(
            select(func.count())
            .select_from(TelegramLinkFailure)
            .where(TelegramLinkFailure.chat_id == chat_id, TelegramLinkFailure.at > now - FAILURE_WINDOW)
        )
        if failures >= MAX_FAILURES:
            minutes = int(FAILURE_WINDOW.total_seconds() // 60)
            raise TooManyRequests(
                "Too many wrong codes. Try again in %(minutes)s minutes.",
                retry_after=int(FAILURE_WINDOW.total_seconds()),
                minutes=minutes,
            )
        row = db.get(TelegramLinkCode, _digest(code)) if 0 < len(code) <= 64 else None
        user = db.get(User, row.user_id) if row is not None else None
        if row is None or row.used_at is not None or row.expires_at <= now or user is None or not user.is_active:
            db.add(TelegramLinkFailure(chat_id=chat_id, at=now))
            db.flush()
            if row is not None and row.used_at is not None:
                raise Invalid("This code has already been used. Get a new one on your profile page.", field="code")
            if row is not None and row.expires_at <= now:
                raise Invalid("This code has expired. Get a new one on your profile page.", field="code")
            raise Invalid("This code is not valid. Get a new one on your profile page.", field="code")
        row.used_at = now
        db.execute(delete(TelegramLink).where((TelegramLink.user_id == user.id) | (TelegramLink.chat_id == chat_id)))
        db.flush()
        db.add(TelegramLink(user_id=user.id, chat_id=chat_id, linked_at=now))
        db.flush()
        audit.record(db, user, "user", user.id, "telegram_link", None, None)
        return user

    def link_of(self, db: Session, user: User) -> TelegramLink | None:
        """The user's linked chat, if any."""
        return db.get(TelegramLink, user.id)

    def unlink(self, db: Session, actor: User) -> bool:
        """Forget the actor's chat; True when there was one."""
        gone = db.execute(delete(TelegramLink).where(TelegramLink.user_id == actor.id)).rowcount
        if gone:
            audit.record(db, actor, "user", actor.id, "telegram_unlink", None, None)
        return bool(gone)

    def user_for_chat(self, db: Session, chat_id: int) -> User | None:
        """The active account linked to `chat_id` (a deactivated user's chat gets nobody)."""
        return db.scalar(
            select(User)
            .join(TelegramLink, TelegramLink.user_id == User.id)
            .where(TelegramLink.chat_id == chat_id, User.is_active.is_(True))
        )

    def set_reachable(self, db: Session, chat_id: int, reachable: bool) -> None:
        """Mark a chat unreachable (the user blocked the bot) or reachable again."""
        link = db.scalar(select(TelegramLink).where(TelegramLink.chat_id == chat_id))
        if link is not None and (link.unreachable_at is None) != reachable:
            link.unreachable_at = None if reachable else clock.now()
            db.flush()

    def first_delivery(self, db: Session, update_id: int) -> bool:
        """Record `update_id`; False when it was seen before (a retried delivery). Old ids expire."""
        now = clock.now()
        db.execute(delete(TelegramUpdate).where(TelegramUpdate.seen_at < now - UPDATE_TTL))
        try:
            with db.begin_nested():
                db.add(TelegramUpdate(update_id=update_id, seen_at=now))
        except IntegrityError:
            return False
        return True

    def lead_list(self, db: Session, actor: User, status: LeadStatus | None, page: int, size: int = 5) -> LeadList:
        """The leads the actor sees (row scope as on the web), newest activity first, one page."""
        q = leads.visible(actor)
        if status is not None:
            q = q.where(Lead.status == status)
        total = db.scalar(select(func.count()).select_from(q.subquery())) or 0
        pages = max(1, -(-total // size))
        page = min(max(page, 1), pages)
        items = db.scalars(q.order_by(Lead.updated_at.desc(), Lead.id.desc()).offset((page - 1) * size).limit(size))
        return LeadList(list(items), total, page, pages)

    def last_comments(self, db: Session, lead: Lead, limit: int = 3) -> list[LeadComment]:
        """The lead's latest comments, oldest of them first."""
        rows = db.scalars(
            select(LeadComment)
            .where(LeadComment.lead_id == lead.id)
            .options(joinedload(LeadComment.author))
            .order_by(LeadComment.at.desc(), LeadComment.id.desc())
            .limit(limit)
        ).all()
        return list(reversed(rows))


telegram = TelegramCRUD()

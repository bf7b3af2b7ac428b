"""Telegram links of staff accounts, one-time link codes, failed link attempts and seen updates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.db import Base, UTCDateTime


class TelegramLink(Base):
    """The one Telegram chat of a staff account (one chat per user, one user per chat)."""

    __tablename__ = "telegram_links"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    unreachable_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the user blocked the bot


class TelegramLinkCode(Base):
    """A one-time code that links the chat sending `/start <code>` to its user; valid 10 minutes."""

    __tablename__ = "telegram_link_codes"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TelegramLinkFailure(Base):
    """A wrong, used or expired code sent from a chat, kept for the throttling window."""

    __tablename__ = "telegram_link_failures"
    __table_args__ = (Index("ix_telegram_link_failures_chat_id_at", "chat_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class TelegramUpdate(Base):
    """An update_id the webhook has taken, so a retried delivery does nothing twice; kept a day."""

    __tablename__ = "telegram_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, index=True)

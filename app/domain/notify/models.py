"""Notification switches per user and the journal of sent notifications (one row per send key)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, Enum, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.db import Base, UTCDateTime


class NotifyKind(StrEnum):
    """What a notification is about; also the name of its switch."""

    NEW_LEAD = "new_lead"
    CALLBACK_DUE = "callback_due"
    BOOKING_EXPIRING = "booking_expiring"
    EXTENSION_DECISION = "extension_decision"
    OVERDUE_DIGEST = "overdue_digest"


class Delivery(StrEnum):
    """Where a send key stands: a worker holds it, it went out, or why it did not (yet)."""

    SENDING = "sending"  # reserved by a worker (claimed_at); a retry or a duplicate must not take it
    PENDING = "pending"  # a failed attempt that will be retried, or released after quiet hours
    DEFERRED = "deferred"  # quiet hours: goes out at not_before
    SENT = "sent"
    UNREACHABLE = "unreachable"  # the chat blocked the bot (403)
    FAILED = "failed"  # given up: retries exhausted or Telegram refused the message
    DROPPED = "dropped"  # nothing to say any more (the lead moved on, the booking ended, switched off)


def _enum(enum_cls: type[StrEnum]) -> Enum:
    return Enum(enum_cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class SentNotification(Base):
    """One notification to one person: (kind, object, recipient, due key) is sent at most once."""

    __tablename__ = "sent_notifications"
    __table_args__ = (
        UniqueConstraint("kind", "object_id", "recipient_id", "due_key", name="uq_sent_notifications_key"),
        Index("ix_sent_notifications_status_not_before", "status", "not_before"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[NotifyKind] = mapped_column(_enum(NotifyKind))
    object_id: Mapped[int] = mapped_column(BigInteger)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    due_key: Mapped[str] = mapped_column(String(40))
    status: Mapped[Delivery] = mapped_column(_enum(Delivery))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str] = mapped_column(String(300), default="")


class NotificationSettings(Base):
    """A user's switches, one per kind (a missing row: everything on, nothing urgent at night)."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    new_lead: Mapped[bool] = mapped_column(Boolean, default=True)
    callback_due: Mapped[bool] = mapped_column(Boolean, default=True)
    booking_expiring: Mapped[bool] = mapped_column(Boolean, default=True)
    extension_decision: Mapped[bool] = mapped_column(Boolean, default=True)
    overdue_digest: Mapped[bool] = mapped_column(Boolean, default=True)
    callback_urgent_at_night: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

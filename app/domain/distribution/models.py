"""Distribution settings, each salesperson's weight, cap and turn, and why each lead went where."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core import clock
from app.db import Base, UTCDateTime


class DistributionMode(StrEnum):
    """Automatic (new leads go out at once, in turn) or manual (the MOP assigns by hand)."""

    AUTO = "auto"
    MANUAL = "manual"


class AssignReason(StrEnum):
    """Why a lead went to a salesperson (or waits): shown in words in the lead's history."""

    TURN = "turn"  # the salesperson's turn
    CAP_SKIPPED = "cap_skipped"  # their turn, others skipped for reaching their daily cap
    RETURNING = "returning"  # a returning client stays with their salesperson
    QUEUE = "queue"  # waited in the queue, handed out when salespeople checked in
    WAITING_ABSENT = "waiting_absent"  # nobody on shift: waits in the queue
    WAITING_CAP = "waiting_cap"  # everyone on shift reached their daily cap: waits


def _enum(enum_cls: type[StrEnum]) -> Enum:
    return Enum(enum_cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class DistributionSettings(Base):
    """The one settings row (id 1); automatic distribution takes its row lock on PostgreSQL."""

    __tablename__ = "distribution_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    mode: Mapped[DistributionMode] = mapped_column(_enum(DistributionMode), default=DistributionMode.AUTO)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class SellerTurn(Base):
    """A salesperson's weight (default 1), daily cap (none: no cap) and place in the weighted turn."""

    __tablename__ = "distribution_sellers"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    weight: Mapped[int] = mapped_column(Integer, default=1)
    daily_cap: Mapped[int | None] = mapped_column(Integer)
    credit: Mapped[int] = mapped_column(Integer, default=0)  # smooth weighted round robin's running credit
    last_assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LeadAssignment(Base):
    """One automatic decision about a lead: to whom (none while it waits) and why."""

    __tablename__ = "lead_assignments"
    __table_args__ = (Index("ix_lead_assignments_salesperson_id_at", "salesperson_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    salesperson_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[AssignReason] = mapped_column(_enum(AssignReason))
    skipped: Mapped[list[int] | None] = mapped_column(JSON)  # salespeople passed over (daily cap reached)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    salesperson: Mapped[User | None] = relationship(lazy="raise")

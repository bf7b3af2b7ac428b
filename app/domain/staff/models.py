"""Attendance shifts of staff and the MOP's nudges about late callbacks."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core import clock
from app.db import Base, UTCDateTime
from app.domain.leads.models import Lead


class Shift(Base):
    """One stretch at work: checked in, checked out (or closed by the night job, "not checked out").

    At most one open shift per user: a partial unique index on both SQLite and PostgreSQL.
    """

    __tablename__ = "shifts"
    __table_args__ = (
        Index(
            "uq_shifts_open_user",
            "user_id",
            unique=True,
            sqlite_where=text("checked_out_at IS NULL"),
            postgresql_where=text("checked_out_at IS NULL"),
        ),
        Index("ix_shifts_day_user_id", "day", "user_id"),
        Index("ix_shifts_user_id_day", "user_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)  # the company day of the check-in
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_system: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship(lazy="raise")


class Nudge(Base):
    """The MOP reminding a salesperson of a late callback; shown to them while it is still late."""

    __tablename__ = "nudges"
    __table_args__ = (Index("ix_nudges_salesperson_id_at", "salesperson_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    salesperson_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    by: Mapped[User | None] = relationship(foreign_keys=[by_id], lazy="raise")
    lead: Mapped[Lead] = relationship(lazy="raise")

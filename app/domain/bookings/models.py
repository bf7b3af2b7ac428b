"""Bookings (брони) and their extension requests."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core import clock
from app.db import Base, UTCDateTime
from app.domain.inventory.models import Apartment
from app.domain.leads.models import Lead


class BookingStatus(StrEnum):
    """A booking's life: active until cancelled, expired or converted to a contract."""

    ACTIVE = "active"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    CONVERTED = "converted"


class ExtensionStatus(StrEnum):
    """An extension request's decision by the MOP."""

    NONE = "none"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


def _enum(enum_cls: type[StrEnum]) -> Enum:
    return Enum(enum_cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Booking(Base):
    """One apartment held for one lead by a salesperson until `expires_at`.

    The partial unique index lets at most one ACTIVE booking exist per apartment, on SQLite and
    PostgreSQL alike; together with the conditional update of the apartment's status it makes a
    double booking impossible.
    """

    __tablename__ = "bookings"
    __table_args__ = (
        Index(
            "uq_bookings_active_apartment",
            "apartment_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_bookings_status_expires_at", "status", "expires_at"),
        Index("ix_bookings_lead_id", "lead_id"),
        Index("ix_bookings_salesperson_id_status", "salesperson_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    apartment_id: Mapped[int] = mapped_column(ForeignKey("apartments.id", ondelete="CASCADE"))
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    salesperson_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[BookingStatus] = mapped_column(_enum(BookingStatus), default=BookingStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str] = mapped_column(String(300), default="")
    extension_status: Mapped[ExtensionStatus] = mapped_column(_enum(ExtensionStatus), default=ExtensionStatus.NONE)
    extension_hours: Mapped[int] = mapped_column(Integer, default=0)
    extension_reason: Mapped[str] = mapped_column(String(300), default="")
    extension_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    apartment: Mapped[Apartment] = relationship(lazy="raise")
    lead: Mapped[Lead] = relationship(lazy="raise")
    salesperson: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[salesperson_id])

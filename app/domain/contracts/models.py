"""Contracts, their payment schedules and the numbering sequence."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Date, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core import clock
from app.db import Base, ExactNumeric, UTCDateTime
from app.domain.bookings.models import Booking
from app.domain.inventory.models import Apartment, Currency
from app.domain.leads.models import Lead


class ContractStatus(StrEnum):
    """Active until an admin cancels it."""

    ACTIVE = "active"
    CANCELLED = "cancelled"


class InstalmentKind(StrEnum):
    """What a scheduled payment is."""

    DOWN_PAYMENT = "down_payment"
    MONTHLY = "monthly"


def _enum(enum_cls: type[StrEnum], length: int = 20) -> Enum:
    return Enum(enum_cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class Counter(Base):
    """A named gap-free sequence (contract numbers), incremented inside the caller's transaction."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Contract(Base):
    """A sale: buyer, price and discount, down payment and instalments; the apartment is sold."""

    __tablename__ = "contracts"
    __table_args__ = (
        Index("ix_contracts_salesperson_id", "salesperson_id"),
        Index("ix_contracts_lead_id", "lead_id"),
        Index("ix_contracts_signed_at", "signed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="RESTRICT"), unique=True)
    apartment_id: Mapped[int] = mapped_column(ForeignKey("apartments.id", ondelete="RESTRICT"))
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="RESTRICT"))
    salesperson_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[ContractStatus] = mapped_column(_enum(ContractStatus), default=ContractStatus.ACTIVE)
    buyer_full_name: Mapped[str] = mapped_column(String(200))
    buyer_passport: Mapped[str] = mapped_column(String(30))
    buyer_phone: Mapped[str] = mapped_column(String(20))
    buyer_address: Mapped[str] = mapped_column(String(300), default="")
    currency: Mapped[Currency] = mapped_column(_enum(Currency, 3))
    price: Mapped[Decimal] = mapped_column(ExactNumeric(16, 2))
    discount: Mapped[Decimal] = mapped_column(ExactNumeric(16, 2), default=Decimal("0"))
    discount_reason: Mapped[str] = mapped_column(String(300), default="")
    discount_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    total: Mapped[Decimal] = mapped_column(ExactNumeric(16, 2))
    down_payment: Mapped[Decimal] = mapped_column(ExactNumeric(16, 2))
    months: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str] = mapped_column(Text, default="")

    booking: Mapped[Booking] = relationship(lazy="raise")
    apartment: Mapped[Apartment] = relationship(lazy="raise")
    lead: Mapped[Lead] = relationship(lazy="raise")
    salesperson: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[salesperson_id])
    schedule: Mapped[list[Instalment]] = relationship(
        back_populates="contract", lazy="raise", order_by="Instalment.seq", cascade="all, delete-orphan"
    )


class Instalment(Base):
    """One planned payment of a contract's schedule."""

    __tablename__ = "instalments"
    __table_args__ = (
        UniqueConstraint("contract_id", "seq", name="uq_instalments_contract_id_seq"),
        Index("ix_instalments_due_date", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[InstalmentKind] = mapped_column(_enum(InstalmentKind))
    due_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(ExactNumeric(16, 2))
    paid: Mapped[Decimal] = mapped_column(ExactNumeric(16, 2), default=Decimal("0"))

    contract: Mapped[Contract] = relationship(back_populates="schedule", lazy="raise")

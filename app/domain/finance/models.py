"""Payments, their allocation to instalments, and UZS-per-USD exchange rates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Date, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core import clock
from app.db import Base, ExactNumeric, UTCDateTime
from app.domain.contracts.models import Contract, Instalment
from app.domain.inventory.models import Currency


class PaymentMethod(StrEnum):
    """How the money came."""

    CASH = "cash"
    CARD = "card"
    TRANSFER = "transfer"


class PaymentType(StrEnum):
    """What the payment is for."""

    INITIAL = "initial"
    INSTALLMENT = "installment"
    FINAL = "final"
    HYBRID = "hybrid"


class PaymentStatus(StrEnum):
    """Completed payments count; cancelled ones are kept but count for nothing."""

    PENDING = "pending"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


def _enum(enum_cls: type[StrEnum], length: int = 20) -> Enum:
    return Enum(enum_cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class Payment(Base):
    """Money received against a contract, in its own currency and in the contract's."""

    __tablename__ = "payments"
    __table_args__ = (
        Index("ix_payments_contract_id_status", "contract_id", "status"),
        Index("ix_payments_paid_at", "paid_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="RESTRICT"))
    amount: Mapped[Decimal] = mapped_column(ExactNumeric(16, 2))
    currency: Mapped[Currency] = mapped_column(_enum(Currency, 3))
    rate: Mapped[Decimal | None] = mapped_column(ExactNumeric(18, 4))
    amount_in_contract_currency: Mapped[Decimal] = mapped_column(ExactNumeric(16, 2))
    paid_at: Mapped[date] = mapped_column(Date)
    method: Mapped[PaymentMethod] = mapped_column(_enum(PaymentMethod))
    type: Mapped[PaymentType] = mapped_column(_enum(PaymentType))
    status: Mapped[PaymentStatus] = mapped_column(_enum(PaymentStatus), default=PaymentStatus.COMPLETED)
    note: Mapped[str] = mapped_column(String(500), default="")
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str] = mapped_column(Text, default="")

    contract: Mapped[Contract] = relationship(lazy="raise")
    created_by: Mapped[User | None] = relationship(lazy="raise")


class Allocation(Base):
    """A part of a payment applied to one instalment; reversed (never deleted) on re-allocation."""

    __tablename__ = "payment_allocations"
    __table_args__ = (Index("ix_payment_allocations_instalment_id", "instalment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="RESTRICT"), index=True)
    instalment_id: Mapped[int] = mapped_column(ForeignKey("instalments.id", ondelete="RESTRICT"))
    amount: Mapped[Decimal] = mapped_column(ExactNumeric(16, 2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    instalment: Mapped[Instalment] = relationship(lazy="raise")


class ExchangeRate(Base):
    """How many UZS one USD cost on a date (the rate of the latest date on or before applies)."""

    __tablename__ = "exchange_rates"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    uzs_per_usd: Mapped[Decimal] = mapped_column(ExactNumeric(18, 4))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

"""A salesperson's sales plan for a month, set by the ROP."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core import clock
from app.db import Base, ExactNumeric, UTCDateTime


class SalesPlan(Base):
    """How many contracts, and for how much (UZS), a salesperson is to sign in a month."""

    __tablename__ = "sales_plans"
    __table_args__ = (UniqueConstraint("month", "salesperson_id", name="uq_sales_plans_month_salesperson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date)  # the first day of the month
    salesperson_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    contracts: Mapped[int] = mapped_column(Integer, default=0)
    amount: Mapped[Decimal] = mapped_column(ExactNumeric(16, 2), default=Decimal("0"))  # UZS
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    salesperson: Mapped[User] = relationship(lazy="raise", foreign_keys=[salesperson_id])

"""Expense categories, expenses (with an optional receipt file) and marketing campaigns."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Boolean, Date, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.db import Base, ExactNumeric, UTCDateTime
from app.domain.inventory.models import Complex, Currency
from app.domain.leads.models import Lead


class CampaignChannel(StrEnum):
    """Where a campaign runs."""

    INSTAGRAM = "instagram"
    FACEBOOK = "facebook"
    TELEGRAM = "telegram"
    GOOGLE = "google"
    YOUTUBE = "youtube"
    OUTDOOR = "outdoor"
    TV_RADIO = "tv_radio"
    OTHER = "other"


def _enum(enum_cls: type[StrEnum], length: int = 20) -> Enum:
    return Enum(enum_cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class ExpenseCategory(Base):
    """A kind of expense from the list the ROP keeps; a used one is deactivated, never deleted."""

    __tablename__ = "expense_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class Campaign(Base):
    """A marketing campaign; leads that arrive with its utm_campaign key belong to it."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[CampaignChannel] = mapped_column(_enum(CampaignChannel))
    utm_campaign: Mapped[str] = mapped_column(String(100), unique=True)
    complex_id: Mapped[int | None] = mapped_column(ForeignKey("complexes.id", ondelete="SET NULL"))
    budget: Mapped[Decimal] = mapped_column(ExactNumeric(16, 2), default=Decimal(0))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    complex: Mapped[Complex | None] = relationship(lazy="raise")


class Expense(Base):
    """Money spent on a day, in UZS or USD, of a category; optionally for a complex and a campaign."""

    __tablename__ = "expenses"
    __table_args__ = (
        Index("ix_expenses_day", "day"),
        Index("ix_expenses_campaign_id_day", "campaign_id", "day"),
        Index("ix_expenses_category_id", "category_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(ExactNumeric(16, 2))
    currency: Mapped[Currency] = mapped_column(_enum(Currency, 3))
    category_id: Mapped[int] = mapped_column(ForeignKey("expense_categories.id", ondelete="RESTRICT"))
    complex_id: Mapped[int | None] = mapped_column(ForeignKey("complexes.id", ondelete="SET NULL"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(500), default="")
    receipt_path: Mapped[str] = mapped_column(String(200), default="")
    receipt_name: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    category: Mapped[ExpenseCategory] = relationship(lazy="raise")
    complex: Mapped[Complex | None] = relationship(lazy="raise")
    campaign: Mapped[Campaign | None] = relationship(lazy="raise")


# The campaign figures group a period's leads by their key: this index alone answers that.
LEADS_BY_CAMPAIGN = Index("ix_leads_utm_campaign_created_at", Lead.utm_campaign, Lead.created_at)

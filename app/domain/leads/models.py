"""Leads and their touches (each request or contact that brought them in)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Connection, Enum, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from app.auth.models import User
from app.core import clock
from app.db import Base, UTCDateTime
from app.domain.inventory.models import Apartment, Complex


class LeadSource(StrEnum):
    """Where a lead came from."""

    LANDING = "landing"
    INSTAGRAM = "instagram"
    TELEGRAM = "telegram"
    SHEET = "sheet"
    CALL = "call"
    MANUAL = "manual"
    REFERRAL = "referral"


class LeadStatus(StrEnum):
    """The pipeline: new -> in_work -> booked -> sold, or lost."""

    NEW = "new"
    IN_WORK = "in_work"
    BOOKED = "booked"
    SOLD = "sold"
    LOST = "lost"


class Temperature(StrEnum):
    """How likely the lead is to buy."""

    HOT = "hot"
    WARM = "warm"
    COLD = "cold"


def _enum(enum_cls: type[StrEnum]) -> Enum:
    return Enum(enum_cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")


class Lead(Base):
    """A prospective buyer; the phone (E.164) is unique: repeat requests become touches."""

    __tablename__ = "leads"
    __table_args__ = (
        Index("ix_leads_status", "status"),
        Index("ix_leads_assigned_id_status", "assigned_id", "status"),
        Index("ix_leads_assigned_id_next_callback_at", "assigned_id", "next_callback_at"),
        # (sort key, id): the list walks these alone to find a page's ids (app.core.paging.keyed_page)
        Index("ix_leads_created_at_id", "created_at", "id"),
        Index("ix_leads_status_created_at_id", "status", "created_at", "id"),
        Index("ix_leads_assigned_id_created_at_id", "assigned_id", "created_at", "id"),
        Index("ix_leads_last_touch_at_id", "last_touch_at", "id"),
        Index("ix_leads_name_id", "name", "id"),
        # The search index on search_key (SQLite FTS5 table leads_search, PostgreSQL pg_trgm GIN)
        # lives in migration 0012 only: see app.domain.leads.search.
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    source: Mapped[LeadSource] = mapped_column(_enum(LeadSource))
    status: Mapped[LeadStatus] = mapped_column(_enum(LeadStatus), default=LeadStatus.NEW)
    temperature: Mapped[Temperature | None] = mapped_column(_enum(Temperature))
    lost_reason: Mapped[str] = mapped_column(String(300), default="")
    complex_id: Mapped[int | None] = mapped_column(ForeignKey("complexes.id", ondelete="SET NULL"))
    apartment_id: Mapped[int | None] = mapped_column(ForeignKey("apartments.id", ondelete="SET NULL"))
    assigned_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    next_callback_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    utm_source: Mapped[str] = mapped_column(String(100), default="")
    utm_medium: Mapped[str] = mapped_column(String(100), default="")
    utm_campaign: Mapped[str] = mapped_column(String(100), default="")
    utm_content: Mapped[str] = mapped_column(String(100), default="")
    utm_term: Mapped[str] = mapped_column(String(100), default="")
    touches_count: Mapped[int] = mapped_column(Integer, default=1)
    search_key: Mapped[str] = mapped_column(String(260), default="", server_default="")
    last_touch_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    complex: Mapped[Complex | None] = relationship(lazy="raise")
    apartment: Mapped[Apartment | None] = relationship(lazy="raise")
    assigned: Mapped[User | None] = relationship(lazy="raise")
    touches: Mapped[list[LeadTouch]] = relationship(
        back_populates="lead", lazy="raise", order_by="LeadTouch.at", cascade="all, delete-orphan"
    )


def lead_search_key(name: str, phone: str) -> str:
    """What a lead is found by: its name in lower case and its phone's digits."""
    return f"{(name or '').lower()} {''.join(ch for ch in phone or '' if ch.isdigit())}"[:260]


@event.listens_for(Lead, "before_insert")
@event.listens_for(Lead, "before_update")
def _keep_search_key(_mapper: Mapper[Lead], _connection: Connection, lead: Lead) -> None:
    lead.search_key = lead_search_key(lead.name, lead.phone)


class LeadComment(Base):
    """A note on a lead by a staff member."""

    __tablename__ = "lead_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    text: Mapped[str] = mapped_column(Text)

    author: Mapped[User | None] = relationship(lazy="raise")


class LeadStatusChange(Base):
    """One step of a lead through the pipeline: from, to, who, when, why."""

    __tablename__ = "lead_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[LeadStatus | None] = mapped_column(_enum(LeadStatus))
    to_status: Mapped[LeadStatus] = mapped_column(_enum(LeadStatus))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    reason: Mapped[str] = mapped_column(String(300), default="")

    by: Mapped[User | None] = relationship(lazy="raise")


class LeadTouch(Base):
    """One request or contact from a lead: when, from where, about what."""

    __tablename__ = "lead_touches"
    __table_args__ = (Index("ix_lead_touches_address_at", "address", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    source: Mapped[LeadSource] = mapped_column(_enum(LeadSource))
    name: Mapped[str] = mapped_column(String(200), default="")
    complex_id: Mapped[int | None] = mapped_column(ForeignKey("complexes.id", ondelete="SET NULL"))
    apartment_id: Mapped[int | None] = mapped_column(ForeignKey("apartments.id", ondelete="SET NULL"))
    utm_source: Mapped[str] = mapped_column(String(100), default="")
    utm_medium: Mapped[str] = mapped_column(String(100), default="")
    utm_campaign: Mapped[str] = mapped_column(String(100), default="")
    utm_content: Mapped[str] = mapped_column(String(100), default="")
    utm_term: Mapped[str] = mapped_column(String(100), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(64), default="")

    lead: Mapped[Lead] = relationship(back_populates="touches", lazy="raise")

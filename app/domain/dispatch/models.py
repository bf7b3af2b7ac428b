"""Technicians, work orders tied to an apartment (and its buyer's contract), and their pictures."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Date, Enum, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core import clock
from app.db import Base, ExactNumeric, UTCDateTime
from app.domain.contracts.models import Contract
from app.domain.inventory.models import Apartment


class Skill(StrEnum):
    """What a technician can do (and what an order may require)."""

    ELECTRICIAN = "electrician"
    PLUMBER = "plumber"
    FINISHING = "finishing"
    HVAC = "hvac"
    GENERAL = "general"


class OrderKind(StrEnum):
    """Why a technician goes to the apartment."""

    HANDOVER = "handover"
    DEFECT = "defect"
    VIEWING = "viewing"
    MAINTENANCE = "maintenance"


class OrderStatus(StrEnum):
    """new -> scheduled -> in progress -> done, or cancelled (with a reason); done reopens within 14 days."""

    NEW = "new"
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class OrderSource(StrEnum):
    """Who asked for the order: staff entered it, or the buyer sent it through their service link."""

    STAFF = "staff"
    BUYER_REQUEST = "buyer_request"


BOOKED = (OrderStatus.SCHEDULED, OrderStatus.IN_PROGRESS)  # statuses that hold a technician's time
CLOSED = (OrderStatus.DONE, OrderStatus.CANCELLED)
OPEN_HANDOVER = text("kind = 'handover' AND status IN ('new', 'scheduled', 'in_progress')")


class Acceptance(StrEnum):
    """What the buyer said when the apartment was handed over."""

    ACCEPTED = "accepted"
    WITH_REMARKS = "with_remarks"
    REFUSED = "refused"


def _enum(enum_cls: type[StrEnum]) -> Enum:
    return Enum(enum_cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Technician(Base):
    """A technician: skills, board colour, working hours per weekday ("0".."6" -> [from, to]), active flag."""

    __tablename__ = "technicians"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20), default="")
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    color: Mapped[str] = mapped_column(String(7), default="#3b82f6")
    hours: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    user: Mapped[User | None] = relationship(lazy="raise")


class WorkOrder(Base):
    """A job at an apartment: kind, priority, status, due date, the slot and technician, notes; versioned."""

    __tablename__ = "work_orders"
    __table_args__ = (
        Index("ix_work_orders_technician_start", "technician_id", "scheduled_start"),
        Index("ix_work_orders_status_due", "status", "due_date"),
        Index("ix_work_orders_apartment_id", "apartment_id"),
        Index("ix_work_orders_contract_id", "contract_id"),
        Index("ix_work_orders_parent_id", "parent_id"),
        Index(  # one open handover per contract, on both backends
            "uq_work_orders_open_handover",
            "contract_id",
            unique=True,
            sqlite_where=OPEN_HANDOVER,
            postgresql_where=OPEN_HANDOVER,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    apartment_id: Mapped[int] = mapped_column(ForeignKey("apartments.id", ondelete="RESTRICT"))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id", ondelete="SET NULL"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id", ondelete="SET NULL"))  # its handover
    kind: Mapped[OrderKind] = mapped_column(_enum(OrderKind))
    priority: Mapped[int] = mapped_column(Integer, default=3)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    required_skill: Mapped[Skill | None] = mapped_column(_enum(Skill))
    status: Mapped[OrderStatus] = mapped_column(_enum(OrderStatus), default=OrderStatus.NEW)
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    due_date: Mapped[date] = mapped_column(Date)
    scheduled_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    scheduled_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    technician_id: Mapped[int | None] = mapped_column(ForeignKey("technicians.id", ondelete="SET NULL"))
    notes: Mapped[str] = mapped_column(Text, default="")
    completion_note: Mapped[str] = mapped_column(Text, default="")
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    overrides: Mapped[list[str]] = mapped_column(JSON, default=list)  # conflicts a dispatcher confirmed
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[OrderSource] = mapped_column(_enum(OrderSource), default=OrderSource.STAFF)
    preferred_time: Mapped[str] = mapped_column(String(200), default="")  # when the buyer would like the visit
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    apartment: Mapped[Apartment] = relationship(lazy="raise")
    contract: Mapped[Contract | None] = relationship(lazy="raise")
    technician: Mapped[Technician | None] = relationship(lazy="raise")
    pictures: Mapped[list[WorkOrderPicture]] = relationship(
        lazy="raise", order_by="WorkOrderPicture.id", cascade="all, delete-orphan"
    )


class WorkOrderPicture(Base):
    """A picture of a work order (stored under DATA_DIR/work_orders)."""

    __tablename__ = "work_order_pictures"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class Handover(Base):
    """What was recorded at a handover order: meter readings, keys handed, the buyer's acceptance."""

    __tablename__ = "handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"), unique=True)
    electricity: Mapped[Decimal | None] = mapped_column(ExactNumeric(12, 3))
    cold_water: Mapped[Decimal | None] = mapped_column(ExactNumeric(12, 3))
    hot_water: Mapped[Decimal | None] = mapped_column(ExactNumeric(12, 3))
    gas: Mapped[Decimal | None] = mapped_column(ExactNumeric(12, 3))
    keys_count: Mapped[int] = mapped_column(Integer, default=0)
    acceptance: Mapped[Acceptance | None] = mapped_column(_enum(Acceptance))
    buyer_name: Mapped[str] = mapped_column(String(200), default="")
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    remarks: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)


class ServiceLink(Base):
    """A buyer's private link to report problems: its id and nonce travel in an HMAC-signed token.

    At most one link of a contract is active (not revoked); a new link revokes the one before.
    """

    __tablename__ = "service_links"
    __table_args__ = (
        Index(
            "uq_service_links_active_contract",
            "contract_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    contract: Mapped[Contract] = relationship(lazy="raise")
    created_by: Mapped[User | None] = relationship(lazy="raise")


class ServiceRequest(Base):
    """Where a buyer's request came from: the link it was sent through and the client address (throttling)."""

    __tablename__ = "service_requests"
    __table_args__ = (
        Index("ix_service_requests_link_created", "service_link_id", "created_at"),
        Index("ix_service_requests_address_created", "address", "created_at"),
    )

    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"), primary_key=True)
    service_link_id: Mapped[int] = mapped_column(ForeignKey("service_links.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

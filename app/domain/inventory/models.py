"""Complexes (ЖК), buildings, apartments, complex images and versioned floor grids."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core import clock
from app.db import Base, ExactNumeric, UTCDateTime


class Currency(StrEnum):
    """The currency a complex is priced in."""

    UZS = "UZS"
    USD = "USD"


class ApartmentStatus(StrEnum):
    """Where an apartment is in its sale."""

    FREE = "free"
    BOOKED = "booked"
    SOLD = "sold"
    NOT_FOR_SALE = "not_for_sale"


def _enum(enum_cls: type[StrEnum], length: int = 20) -> Enum:
    return Enum(enum_cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class Complex(Base):
    """A residential complex (ЖК); public ones get a landing page at /c/<slug>."""

    __tablename__ = "complexes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    city: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    currency: Mapped[Currency] = mapped_column(_enum(Currency, 3), default=Currency.UZS)
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    inventory_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    buildings: Mapped[list[Building]] = relationship(
        back_populates="complex", lazy="raise", order_by="Building.name", cascade="all, delete-orphan"
    )
    images: Mapped[list[ComplexImage]] = relationship(
        back_populates="complex", lazy="raise", order_by="ComplexImage.position", cascade="all, delete-orphan"
    )


class ComplexImage(Base):
    """A picture of a complex, stored under the media folder."""

    __tablename__ = "complex_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    complex_id: Mapped[int] = mapped_column(ForeignKey("complexes.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(300))
    caption: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    complex: Mapped[Complex] = relationship(back_populates="images", lazy="raise")


class Building(Base):
    """A building (блок / корпус) of a complex."""

    __tablename__ = "buildings"
    __table_args__ = (
        UniqueConstraint("complex_id", "name", name="uq_buildings_complex_id_name"),
        CheckConstraint("floors >= 1 AND floors <= 100", name="floors_range"),
        CheckConstraint("sections >= 1 AND sections <= 50", name="sections_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    complex_id: Mapped[int] = mapped_column(ForeignKey("complexes.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    floors: Mapped[int] = mapped_column(Integer)
    sections: Mapped[int] = mapped_column(Integer, default=1)

    complex: Mapped[Complex] = relationship(back_populates="buildings", lazy="raise")
    apartments: Mapped[list[Apartment]] = relationship(
        back_populates="building", lazy="raise", cascade="all, delete-orphan"
    )


class Apartment(Base):
    """An apartment: where it is, what it is, what it costs and whether it can be bought."""

    __tablename__ = "apartments"
    __table_args__ = (
        UniqueConstraint("building_id", "number", name="uq_apartments_building_id_number"),
        Index("ix_apartments_building_floor", "building_id", "floor"),
        Index("ix_apartments_status", "status"),
        CheckConstraint("rooms >= 0 AND rooms <= 20", name="rooms_range"),
        CheckConstraint("area > 0", name="area_positive"),
        CheckConstraint("price_per_m2 >= 0", name="price_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id", ondelete="CASCADE"))
    section: Mapped[int] = mapped_column(Integer, default=1)
    floor: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(20))
    rooms: Mapped[int] = mapped_column(Integer)
    area: Mapped[Decimal] = mapped_column(ExactNumeric(8, 2))
    price_per_m2: Mapped[Decimal] = mapped_column(ExactNumeric(14, 2))
    total_price: Mapped[Decimal] = mapped_column(ExactNumeric(16, 2))
    status: Mapped[ApartmentStatus] = mapped_column(_enum(ApartmentStatus), default=ApartmentStatus.FREE)
    layout_image: Mapped[str | None] = mapped_column(String(300))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    building: Mapped[Building] = relationship(back_populates="apartments", lazy="raise")


class FloorGrid(Base):
    """One saved version of a floor's drawn layout: cells on a grid bound to apartments."""

    __tablename__ = "floor_grids"
    __table_args__ = (
        UniqueConstraint("building_id", "floor", "version", name="uq_floor_grids_building_floor_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id", ondelete="CASCADE"))
    floor: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    cols: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(Integer)
    cells: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    created_by: Mapped[User | None] = relationship(lazy="raise")

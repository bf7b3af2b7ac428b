"""Pydantic models of bookings."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.core.paging import PageParams
from app.core.types import Input
from app.domain.bookings.models import BookingStatus, ExtensionStatus

MAX_BOOKING_HOURS = 24 * 30


class BookingCreate(Input):
    """Book a free apartment for one of the caller's leads."""

    apartment_id: int = Field(ge=1)
    lead_id: int = Field(ge=1)
    hours: int | None = Field(None, ge=1, le=MAX_BOOKING_HOURS)


class BookingCancel(Input):
    """Why a booking is cancelled."""

    reason: str = Field("", max_length=300)


class ExtensionRequest(Input):
    """Ask the MOP for more time."""

    hours: int = Field(ge=1, le=MAX_BOOKING_HOURS)
    reason: str = Field(min_length=1, max_length=300)


class ExtensionDecision(Input):
    """The MOP's answer to an extension request."""

    approve: bool


class BookingFilter(PageParams):
    """Filters of the bookings list."""

    status: BookingStatus | None = None
    lead_id: int | None = Field(None, ge=1)
    extension: ExtensionStatus | None = None


class BookingRead(BaseModel):
    """A booking as the API shows it."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    apartment_id: int
    lead_id: int
    salesperson_id: int | None
    status: BookingStatus
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    end_reason: str
    extension_status: ExtensionStatus
    extension_hours: int
    extension_reason: str

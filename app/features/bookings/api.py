"""The JSON twin of the bookings pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from app.auth.deps import CurrentUser, DbSession, get_settings, require
from app.auth.permissions import P
from app.core.paging import Page
from app.core.types import Id
from app.domain.bookings.crud import bookings
from app.domain.bookings.models import Booking
from app.domain.bookings.schemas import BookingCancel, BookingCreate, BookingFilter, BookingRead, ExtensionRequest

router = APIRouter()
WRITE = [Depends(require(P.BOOKINGS_WRITE))]


@router.get("/bookings", response_model=Page[BookingRead])
def list_bookings(db: DbSession, user: CurrentUser, f: Annotated[BookingFilter, Query()]) -> Page:
    """Bookings the caller may see."""
    return bookings.page(db, user, f)


@router.post(
    "/bookings",
    response_model=BookingRead,
    status_code=201,
    dependencies=WRITE,
    responses={409: {"description": "the apartment is not free"}},
)
def create_booking(request: Request, db: DbSession, user: CurrentUser, body: BookingCreate) -> Booking:
    """Book a free apartment for one of the caller's leads (409 when it is taken)."""
    return bookings.create(db, user, body, get_settings(request).booking_hours)


@router.post("/bookings/{booking_id:int}/cancel", response_model=BookingRead, dependencies=WRITE)
def cancel_booking(db: DbSession, user: CurrentUser, booking_id: Id, body: BookingCancel) -> Booking:
    """Cancel an active booking; the apartment is free again."""
    return bookings.cancel(db, user, booking_id, body.reason)


@router.post("/bookings/{booking_id:int}/extension", response_model=BookingRead, dependencies=WRITE)
def request_extension(db: DbSession, user: CurrentUser, booking_id: Id, body: ExtensionRequest) -> Booking:
    """Ask the MOP for more hours."""
    return bookings.request_extension(db, user, booking_id, body)

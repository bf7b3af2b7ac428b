"""The JSON twin of the extension queue."""

from __future__ import annotations

from fastapi import APIRouter

from app.auth.deps import CurrentUser, DbSession
from app.core.types import Id
from app.domain.bookings.crud import bookings
from app.domain.bookings.models import Booking
from app.domain.bookings.schemas import BookingRead, ExtensionDecision

router = APIRouter()


@router.get("/extensions", response_model=list[BookingRead])
def pending_extensions(db: DbSession, user: CurrentUser) -> list[Booking]:
    """Extension requests waiting for a decision."""
    return bookings.pending_extensions(db, user)


@router.post("/bookings/{booking_id:int}/extension/decision", response_model=BookingRead)
def decide_extension(db: DbSession, user: CurrentUser, booking_id: Id, body: ExtensionDecision) -> Booking:
    """Approve or reject an extension request."""
    return bookings.decide_extension(db, user, booking_id, body.approve)

"""Bookings: never two on one apartment, expiry, cancellation, extensions; all audited.

A booking is made in one transaction: expire what has run out on that apartment, then a
conditional UPDATE of the apartment (free -> booked) whose row count says who won, then the
booking row, which a partial unique index on active bookings backs on both databases.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app.auth.models import User
from app.auth.permissions import P, can
from app.core import clock, events
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.paging import Page, apply_sort, paginate
from app.db import after_commit
from app.domain.audit.crud import audit
from app.domain.bookings.models import Booking, BookingStatus, ExtensionStatus
from app.domain.bookings.schemas import BookingCreate, BookingFilter, ExtensionRequest
from app.domain.inventory.crud import bump_inventory
from app.domain.inventory.models import Apartment, ApartmentStatus, Building
from app.domain.leads.crud import leads, pipeline
from app.domain.leads.models import Lead, LeadStatus
from app.domain.leads.schemas import LeadFilter

BOOKING_FIELDS = (
    "apartment_id",
    "lead_id",
    "salesperson_id",
    "status",
    "expires_at",
    "extension_status",
    "extension_hours",
)
BOOKABLE_LEAD_STATUSES = frozenset({LeadStatus.NEW, LeadStatus.IN_WORK, LeadStatus.BOOKED})


def snapshot(booking: Booking) -> dict:
    """The audited fields of a booking."""
    return {name: getattr(booking, name) for name in BOOKING_FIELDS}


def _complex_of(db: Session, apartment_id: int) -> int | None:
    q = (
        select(Building.complex_id)
        .join(Apartment, Apartment.building_id == Building.id)
        .where(Apartment.id == apartment_id)
    )
    return db.scalar(q)


def extended_until(booking: Booking) -> datetime:
    """When the booking would expire if its pending extension were approved now."""
    return max(booking.expires_at, clock.now()) + timedelta(hours=booking.extension_hours)


class BookingCRUD:
    """Bookings, row-scoped: salespeople see their own; MOP, ROP, finance and admin all."""

    sort_columns = {"created_at": Booking.created_at, "expires_at": Booking.expires_at}

    def visible(self, actor: User) -> Select:
        """Bookings the actor may see."""
        q = select(Booking)
        if can(actor, P.BOOKINGS_READ_ALL):
            return q
        if can(actor, P.BOOKINGS_READ):
            return q.where(Booking.salesperson_id == actor.id)
        raise Forbidden("You do not have access to bookings.")

    def page(self, db: Session, actor: User, f: BookingFilter) -> Page[Booking]:
        """One page of visible bookings with apartment, lead and salesperson loaded."""
        q = self.visible(actor).options(
            joinedload(Booking.apartment).joinedload(Apartment.building).joinedload(Building.complex),
            joinedload(Booking.lead),
            joinedload(Booking.salesperson),
        )
        if f.status:
            q = q.where(Booking.status == f.status)
        if f.lead_id:
            q = q.where(Booking.lead_id == f.lead_id)
        if f.extension:
            q = q.where(Booking.extension_status == f.extension)
        q = apply_sort(q, f.sort, self.sort_columns, "-created_at").order_by(Booking.id.desc())
        return paginate(db, q, f.page, f.page_size)

    def get(self, db: Session, actor: User, booking_id: int) -> Booking:
        """A visible booking with its apartment (and complex), lead and salesperson, or NotFound."""
        q = (
            self.visible(actor)
            .where(Booking.id == booking_id)
            .options(
                joinedload(Booking.apartment).joinedload(Apartment.building).joinedload(Building.complex),
                joinedload(Booking.lead),
                joinedload(Booking.salesperson),
            )
        )
        booking = db.scalar(q)
        if booking is None:
            raise NotFound("Booking not found.")
        return booking

    def for_lead(self, db: Session, lead_id: int) -> list[Booking]:
        """Every booking of a lead, newest first (the lead's page is already row-scoped)."""
        q = (
            select(Booking)
            .where(Booking.lead_id == lead_id)
            .options(
                joinedload(Booking.apartment).joinedload(Apartment.building).joinedload(Building.complex),
                joinedload(Booking.salesperson),
            )
            .order_by(Booking.created_at.desc())
        )
        return list(db.scalars(q))

    def create(self, db: Session, actor: User, data: BookingCreate, default_hours: int) -> Booking:
        """Book a free apartment for a lead the actor may work with; Conflict when it is not free."""
        if not can(actor, P.BOOKINGS_WRITE):
            raise Forbidden("You cannot book apartments.")
        lead = pipeline.get(db, actor, data.lead_id)
        if not can(actor, P.LEADS_READ_ALL) and lead.assigned_id != actor.id:
            raise Forbidden("You can book only for your own leads.")
        if lead.status not in BOOKABLE_LEAD_STATUSES:
            raise Invalid("A lead that is sold or lost cannot book.", field="lead_id")
        if db.get(Apartment, data.apartment_id) is None:
            raise NotFound("Apartment not found.")
        self._expire(db, Booking.apartment_id == data.apartment_id)
        taken = db.execute(
            update(Apartment)
            .where(Apartment.id == data.apartment_id, Apartment.status == ApartmentStatus.FREE)
            .values(status=ApartmentStatus.BOOKED, updated_at=clock.now())
        )
        if taken.rowcount != 1:
            raise Conflict("This apartment is not free any more.")
        hours = data.hours or default_hours
        booking = Booking(
            apartment_id=data.apartment_id,
            lead_id=lead.id,
            salesperson_id=lead.assigned_id or actor.id,
            expires_at=clock.now() + timedelta(hours=hours),
        )
        try:
            with db.begin_nested():
                db.add(booking)
                db.flush()
        except IntegrityError as exc:
            raise Conflict("This apartment is not free any more.") from exc
        if lead.status != LeadStatus.BOOKED:
            pipeline.set_status(db, actor, lead, LeadStatus.BOOKED, f"booking {booking.id}")
        bump_inventory(db, [_complex_of(db, data.apartment_id)])
        audit.record(db, actor, "booking", booking.id, "create", None, snapshot(booking))
        return booking

    def cancel(self, db: Session, actor: User, booking_id: int, reason: str = "") -> Booking:
        """Cancel an active booking (its salesperson, the MOP or an admin); the apartment is freed."""
        booking = self.get(db, actor, booking_id)
        if not can(actor, P.BOOKINGS_CANCEL):
            raise Forbidden("You cannot cancel bookings.")
        if booking.status != BookingStatus.ACTIVE:
            raise Conflict("This booking is no longer active.")
        self._end(db, actor, booking, BookingStatus.CANCELLED, reason or "cancelled")
        return booking

    def request_extension(self, db: Session, actor: User, booking_id: int, data: ExtensionRequest) -> Booking:
        """Ask for more hours on an active booking; the MOP decides."""
        booking = self.get(db, actor, booking_id)
        if booking.status != BookingStatus.ACTIVE or booking.expires_at <= clock.now():
            raise Conflict("This booking is no longer active.")
        if booking.extension_status == ExtensionStatus.PENDING:
            raise Conflict("An extension request is already waiting for the MOP.")
        before = snapshot(booking)
        booking.extension_status = ExtensionStatus.PENDING
        booking.extension_hours, booking.extension_reason = data.hours, data.reason.strip()
        db.flush()
        audit.record(db, actor, "booking", booking.id, "request_extension", before, snapshot(booking))
        return booking

    def decide_extension(self, db: Session, actor: User, booking_id: int, approve: bool) -> Booking:
        """The MOP (or an admin) approves or rejects a pending extension."""
        if not can(actor, P.EXTENSIONS_DECIDE):
            raise Forbidden("Only the MOP or an admin decides on extensions.")
        booking = self.get(db, actor, booking_id)
        if booking.extension_status != ExtensionStatus.PENDING:
            raise Conflict("There is no pending extension request on this booking.")
        if booking.status != BookingStatus.ACTIVE:
            raise Conflict("This booking is no longer active.")
        before = snapshot(booking)
        booking.extension_status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
        booking.extension_decided_by_id = actor.id
        if approve:
            booking.expires_at = extended_until(booking)
        db.flush()
        audit.record(
            db,
            actor,
            "booking",
            booking.id,
            "approve_extension" if approve else "reject_extension",
            before,
            snapshot(booking),
        )
        if booking.salesperson_id is not None:
            after_commit(
                db,
                events.EXTENSION_DECIDED,
                booking_id=booking.id,
                user_id=booking.salesperson_id,
                approved=approve,
                at=clock.now().isoformat(),
            )
        return booking

    def pending_extensions(self, db: Session, actor: User) -> list[Booking]:
        """Active bookings waiting for an extension decision, soonest expiry first."""
        q = (
            self.visible(actor)
            .where(Booking.status == BookingStatus.ACTIVE, Booking.extension_status == ExtensionStatus.PENDING)
            .options(
                joinedload(Booking.apartment).joinedload(Apartment.building).joinedload(Building.complex),
                joinedload(Booking.lead),
                joinedload(Booking.salesperson),
            )
            .order_by(Booking.expires_at)
        )
        return list(db.scalars(q))

    def lead_options(self, db: Session, actor: User, limit: int) -> list[Lead]:
        """The actor's leads that may be booked for, the most recently heard from first."""
        f = LeadFilter(sort="-last_touch_at", page_size=limit)
        query = leads.query(actor, f).where(Lead.status.in_(BOOKABLE_LEAD_STATUSES))
        return list(db.scalars(query.limit(limit)).unique())

    def show_expired_as_free(self, db: Session, shown: list[Apartment]) -> None:
        """Reads treat a booking past its expiry as gone before the minute job ends it: booked
        apartments in `shown` whose active booking has run out are shown free (detached from
        the session, so nothing is written by a read)."""
        booked = {a.id: a for a in shown if a.status == ApartmentStatus.BOOKED}
        if not booked:
            return
        run_out = db.scalars(
            select(Booking.apartment_id).where(
                Booking.apartment_id.in_(list(booked)),
                Booking.status == BookingStatus.ACTIVE,
                Booking.expires_at <= clock.now(),
            )
        ).all()
        for apartment_id in run_out:
            apartment = booked[apartment_id]
            db.expunge(apartment)
            apartment.status = ApartmentStatus.FREE

    def expire_due(self, db: Session, now: datetime | None = None) -> int:
        """End every active booking past its expiry, freeing its apartment; returns how many."""
        return self._expire(db, Booking.expires_at <= (now or clock.now()), now)

    def convert(self, db: Session, actor: User, booking: Booking) -> None:
        """Mark a booking as turned into a contract (the contract marks the apartment sold)."""
        before = snapshot(booking)
        booking.status, booking.ended_at, booking.end_reason = BookingStatus.CONVERTED, clock.now(), "contract"
        db.flush()
        audit.record(db, actor, "booking", booking.id, "convert", before, snapshot(booking))

    def _expire(self, db: Session, condition: ColumnElement[bool], now: datetime | None = None) -> int:
        now = now or clock.now()
        due = db.scalars(
            select(Booking).where(Booking.status == BookingStatus.ACTIVE, Booking.expires_at <= now, condition)
        ).all()
        for booking in due:
            self._end(db, None, booking, BookingStatus.EXPIRED, "expired")
        return len(due)

    def _end(self, db: Session, actor: User | None, booking: Booking, status: BookingStatus, reason: str) -> None:
        """Finish a booking, free its apartment and put the lead back in work if nothing else holds it."""
        before = snapshot(booking)
        booking.status, booking.ended_at, booking.end_reason = status, clock.now(), reason[:300]
        db.flush()
        db.execute(
            update(Apartment)
            .where(Apartment.id == booking.apartment_id, Apartment.status == ApartmentStatus.BOOKED)
            .values(status=ApartmentStatus.FREE, updated_at=clock.now())
        )
        still_held = db.scalar(
            select(func.count()).where(Booking.lead_id == booking.lead_id, Booking.status == BookingStatus.ACTIVE)
        )
        lead = db.get(Lead, booking.lead_id)
        if lead is not None and lead.status == LeadStatus.BOOKED and not still_held:
            pipeline.set_status(db, actor, lead, LeadStatus.IN_WORK, f"booking {booking.id} {status.value}")
        bump_inventory(db, [_complex_of(db, booking.apartment_id)])
        audit.record(db, actor, "booking", booking.id, status.value, before, snapshot(booking))


bookings = BookingCRUD()

"""Bookings: free apartments only, one active booking per apartment, expiry with time moved
forward, cancellation, extensions, lead status following along."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth.permissions import Role
from app.core import clock
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.domain.bookings.crud import bookings
from app.domain.bookings.models import Booking, BookingStatus, ExtensionStatus
from app.domain.bookings.schemas import BookingCreate, ExtensionRequest
from app.domain.inventory.models import ApartmentStatus, Complex
from app.domain.leads.models import LeadStatus
from tests.factories import free_apartment, make_lead, make_user


def book(db, seller, apartment, lead, hours=None):
    return bookings.create(db, seller, BookingCreate(apartment_id=apartment.id, lead_id=lead.id, hours=hours), 72)


def test_booking_holds_the_apartment_and_moves_the_lead(db):
    seller = make_user(db, Role.SALES)
    apartment, lead = free_apartment(db), make_lead(db, make_user(db, Role.SALES))
    lead.assigned_id = seller.id
    version = db.scalar(select(Complex.inventory_version).join(Complex.buildings).limit(1))
    booking = book(db, seller, apartment, lead)
    db.refresh(apartment)
    assert apartment.status == ApartmentStatus.BOOKED and lead.status == LeadStatus.BOOKED
    assert booking.expires_at - booking.created_at == pytest.approx(timedelta(hours=72), abs=timedelta(seconds=5))
    assert db.scalar(select(Complex.inventory_version).join(Complex.buildings).limit(1)) > version


def test_a_booked_apartment_cannot_be_booked_again(db):
    seller, rival = make_user(db, Role.SALES), make_user(db, Role.SALES)
    apartment = free_apartment(db)
    book(db, seller, apartment, make_lead(db, seller))
    with pytest.raises(Conflict):
        book(db, rival, apartment, make_lead(db, rival))
    assert (
        db.scalar(
            select(Booking).where(Booking.apartment_id == apartment.id).with_only_columns(Booking.id).order_by(None)
        )
        is not None
    )


def test_the_database_refuses_two_active_bookings(db):
    from sqlalchemy.exc import IntegrityError

    seller = make_user(db, Role.SALES)
    apartment = free_apartment(db)
    first = book(db, seller, apartment, make_lead(db, seller))
    with pytest.raises(IntegrityError), db.begin_nested():
        db.add(
            Booking(
                apartment_id=apartment.id,
                lead_id=first.lead_id,
                salesperson_id=seller.id,
                expires_at=clock.now() + timedelta(hours=1),
            )
        )
        db.flush()


def test_only_own_leads_and_open_leads_book(db):
    seller, other = make_user(db, Role.SALES), make_user(db, Role.SALES)
    apartment = free_apartment(db)
    with pytest.raises(NotFound):
        book(db, seller, apartment, make_lead(db, other))
    with pytest.raises(Invalid):
        book(db, seller, apartment, make_lead(db, seller, status=LeadStatus.LOST))
    with pytest.raises(Forbidden):
        bookings.create(db, make_user(db, Role.DISPATCHER), BookingCreate(apartment_id=apartment.id, lead_id=1), 72)


def test_expiry_frees_the_apartment_with_time_moved_forward(db):
    seller = make_user(db, Role.SALES)
    apartment, lead = free_apartment(db), make_lead(db, seller)
    booking = book(db, seller, apartment, lead, hours=2)
    assert bookings.expire_due(db) == 0
    later = clock.now() + timedelta(hours=2, minutes=1)
    assert bookings.expire_due(db, now=later) == 1
    db.refresh(apartment)
    assert booking.status == BookingStatus.EXPIRED and apartment.status == ApartmentStatus.FREE
    assert lead.status == LeadStatus.IN_WORK


def test_an_expired_booking_is_gone_before_the_job_runs(db, time_machine):
    seller, rival = make_user(db, Role.SALES), make_user(db, Role.SALES)
    apartment = free_apartment(db)
    book(db, seller, apartment, make_lead(db, seller), hours=1)
    later = clock.now() + timedelta(hours=1, seconds=1)
    time_machine.move_to(later)
    taken = book(db, rival, apartment, make_lead(db, rival))  # no job ran: the booking call expires it
    assert taken.salesperson_id == rival.id


def test_cancel_frees_and_only_active_bookings_cancel(db):
    seller = make_user(db, Role.SALES)
    apartment, lead = free_apartment(db), make_lead(db, seller)
    booking = book(db, seller, apartment, lead)
    bookings.cancel(db, seller, booking.id, "client changed mind")
    db.refresh(apartment)
    assert (booking.status, apartment.status, lead.status) == (
        BookingStatus.CANCELLED,
        ApartmentStatus.FREE,
        LeadStatus.IN_WORK,
    )
    with pytest.raises(Conflict):
        bookings.cancel(db, seller, booking.id)
    with pytest.raises(NotFound):
        bookings.cancel(db, make_user(db, Role.SALES), booking.id)


def test_extension_needs_the_mop(db):
    seller, mop = make_user(db, Role.SALES), make_user(db, Role.MOP)
    booking = book(db, seller, free_apartment(db), make_lead(db, seller), hours=10)
    expires = booking.expires_at
    bookings.request_extension(db, seller, booking.id, ExtensionRequest(hours=24, reason="bank loan"))
    with pytest.raises(Conflict):
        bookings.request_extension(db, seller, booking.id, ExtensionRequest(hours=24, reason="again"))
    with pytest.raises(Forbidden):
        bookings.decide_extension(db, seller, booking.id, True)
    assert [b.id for b in bookings.pending_extensions(db, mop)] == [booking.id]
    bookings.decide_extension(db, mop, booking.id, True)
    assert booking.extension_status == ExtensionStatus.APPROVED
    assert booking.expires_at - expires == pytest.approx(timedelta(hours=24), abs=timedelta(seconds=5))
    assert bookings.pending_extensions(db, mop) == []


def test_grids_show_a_run_out_booking_as_free_before_the_job(db, time_machine):
    from app.domain.inventory.crud import apartments, buildings
    from app.domain.inventory.grids import floor_grids

    seller = make_user(db, Role.SALES)
    apartment = free_apartment(db)
    book(db, seller, apartment, make_lead(db, seller), hours=1)
    building = buildings.get(db, apartment.building_id)

    def shown_status():
        flats = [a for f in floor_grids.building_view(db, building) for a in f.apartments]
        bookings.show_expired_as_free(db, flats)
        return next(a.status for a in flats if a.id == apartment.id)

    assert shown_status() == ApartmentStatus.BOOKED
    later = clock.now() + timedelta(hours=1, seconds=1)
    time_machine.move_to(later)
    db.expire_all()
    assert shown_status() == ApartmentStatus.FREE  # shown free although no job ran
    db.expire_all()
    assert apartments.get(db, apartment.id).status == ApartmentStatus.BOOKED  # and nothing was written

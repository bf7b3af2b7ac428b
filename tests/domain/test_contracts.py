"""Contracts: schedule arithmetic, discount rules, numbering, everything sold in one go, cancel."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.auth.permissions import Role
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.domain.bookings.crud import bookings
from app.domain.bookings.models import BookingStatus
from app.domain.bookings.schemas import BookingCreate
from app.domain.contracts.crud import contracts
from app.domain.contracts.models import Contract, ContractStatus, InstalmentKind
from app.domain.contracts.schedule import add_months, build_schedule
from app.domain.contracts.schemas import ContractCreate
from app.domain.inventory.models import ApartmentStatus, Currency
from app.domain.leads.models import LeadStatus
from tests.factories import free_apartment, make_lead, make_user


@pytest.mark.parametrize(
    ("total", "down", "months", "currency"),
    [
        (Decimal("1000000"), Decimal("300000"), 3, Currency.UZS),
        (Decimal("416990000"), Decimal("125097000"), 36, Currency.UZS),
        (Decimal("100.00"), Decimal("0"), 3, Currency.USD),
        (Decimal("52107.37"), Decimal("10421.47"), 24, Currency.USD),
        (Decimal("999.99"), Decimal("999.99"), 0, Currency.USD),
    ],
)
def test_schedule_adds_up_exactly_and_rounds_to_the_unit(total, down, months, currency):
    rows = build_schedule(total, down, months, date(2026, 1, 31), currency)
    assert sum(r.amount for r in rows) == total
    unit = Decimal("1") if currency == Currency.UZS else Decimal("0.01")
    monthly = [r for r in rows if r.kind == InstalmentKind.MONTHLY]
    assert all(r.amount == r.amount.quantize(unit) for r in monthly[:-1])
    assert len(monthly) == months
    if len(monthly) > 1:
        assert monthly[-1].amount >= monthly[0].amount and monthly[-1].amount - monthly[0].amount < unit * months
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))


def test_due_dates_clamp_to_month_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2027, 12, 15), 1) == date(2028, 1, 15)


def setup_booking(db, price_per_m2="1000"):
    seller = make_user(db, Role.SALES)
    apartment = free_apartment(db, price_per_m2=price_per_m2)
    lead = make_lead(db, seller)
    booking = bookings.create(db, seller, BookingCreate(apartment_id=apartment.id, lead_id=lead.id), 72)
    return seller, apartment, lead, booking


def contract_data(booking, **fields):
    values = {
        "booking_id": booking.id,
        "buyer_full_name": "Каримов Азиз",
        "buyer_passport": "AB1234567",
        "buyer_phone": "+998901234567",
        "down_payment": Decimal("0"),
        "months": 12,
        "start_date": date(2026, 12, 1),
    }
    return ContractCreate(**{**values, **fields})


def test_contract_sells_everything_in_one_transaction(db):
    seller, apartment, lead, booking = setup_booking(db)
    price = apartment.total_price
    contract = contracts.create(
        db,
        seller,
        contract_data(booking, discount=Decimal("100"), discount_reason="cash", down_payment=Decimal("10000")),
        5,
    )
    db.refresh(apartment)
    assert apartment.status == ApartmentStatus.SOLD and lead.status == LeadStatus.SOLD
    assert booking.status == BookingStatus.CONVERTED
    assert contract.total == price - Decimal("100")
    assert sum(i.amount for i in contract.schedule) == contract.total
    assert contract.schedule[0].kind == InstalmentKind.DOWN_PAYMENT and len(contract.schedule) == 13
    assert contract.number.endswith("-00001")
    other_seller, _, _, second = setup_booking(db)
    assert contracts.create(db, other_seller, contract_data(second), 5).number.endswith("-00002")


def test_discount_above_the_limit_needs_rop_or_admin(db):
    seller, apartment, _, booking = setup_booking(db)
    big = (apartment.total_price * Decimal("0.10")).quantize(Decimal("1"))
    with pytest.raises(Invalid) as error:
        contracts.create(db, seller, contract_data(booking, discount=big, discount_reason="friend"), 5)
    assert error.value.field == "discount"
    with pytest.raises(Invalid):
        contracts.create(db, seller, contract_data(booking, discount=Decimal("1")), 5)  # no reason
    rop = make_user(db, Role.ROP)
    contract = contracts.create(db, rop, contract_data(booking, discount=big, discount_reason="friend"), 5)
    assert contract.discount_approved_by_id == rop.id


def test_a_failed_contract_leaves_nothing_behind(db):
    seller, apartment, _, booking = setup_booking(db)
    with pytest.raises(Invalid), db.begin_nested():
        contracts.create(db, seller, contract_data(booking, down_payment=apartment.total_price * 2), 5)
    db.refresh(apartment)
    assert apartment.status == ApartmentStatus.BOOKED
    assert db.scalar(select(Contract).where(Contract.booking_id == booking.id)) is None


def test_other_salesperson_cannot_contract_and_inactive_booking_cannot(db):
    seller, _, _, booking = setup_booking(db)
    with pytest.raises(NotFound):
        contracts.create(db, make_user(db, Role.SALES), contract_data(booking), 5)
    bookings.cancel(db, seller, booking.id)
    with pytest.raises(Conflict):
        contracts.create(db, seller, contract_data(booking), 5)


def test_admin_cancels_a_contract_and_the_apartment_is_free(db):
    seller, apartment, lead, booking = setup_booking(db)
    contract = contracts.create(db, seller, contract_data(booking), 5)
    with pytest.raises(Forbidden):
        contracts.cancel(db, seller, contract.id, "mistake")
    contracts.cancel(db, make_user(db, Role.ADMIN), contract.id, "buyer withdrew")
    db.refresh(apartment)
    assert contract.status == ContractStatus.CANCELLED and apartment.status == ApartmentStatus.FREE
    assert lead.status == LeadStatus.IN_WORK

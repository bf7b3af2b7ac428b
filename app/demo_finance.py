"""Demo finance: exchange rates for half a year, contracts overdue in every ageing bucket,
and payments spread over the months (some in the other currency)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.auth.models import User
from app.core import clock
from app.domain.bookings.crud import bookings
from app.domain.bookings.schemas import BookingCreate
from app.domain.contracts.crud import contracts
from app.domain.contracts.models import Contract
from app.domain.contracts.schemas import ContractCreate
from app.domain.finance.crud import payments
from app.domain.finance.models import ExchangeRate, PaymentMethod
from app.domain.finance.rates import rates
from app.domain.finance.schemas import PaymentCreate, RateSet
from app.domain.inventory.models import Apartment, ApartmentStatus, Building, Complex, Currency
from app.domain.leads.crud import pipeline
from app.domain.leads.schemas import LeadCreate

# (buyer, phone, complex slug, days since the contract started, instalments paid after the down payment)
# The oldest unpaid instalment then falls ~10, ~40, ~70 and ~100 days back: one debt per bucket.
BUYERS = [
    ("Камола Хасанова", "+998901130001", "bahor", 40, 0),
    ("Ulugbek Sobirov", "+998901130002", "samarkand-gardens", 70, 0),
    ("Гавхар Турсунова", "+998901130003", "bahor", 100, 0),
    ("Rustam Qosimov", "+998901130004", "samarkand-gardens", 160, 1),
    ("Барно Юлдашева", "+998901130005", "bahor", 100, 3),  # paid up to date
]


def load_demo_finance(db: Session, admin: User) -> int:
    """Create the demo finance data once (skipped when any rate exists); returns contracts made."""
    if db.scalar(select(ExchangeRate.day).limit(1)) is not None:
        return 0
    today = clock.today()
    for back in range(0, 200, 7):
        rates.set(
            db,
            admin,
            RateSet(
                day=today - timedelta(days=back), uzs_per_usd=Decimal("12650") + Decimal(200 - back) * Decimal("1.5")
            ),
        )
    seller = db.scalar(select(User).where(User.username == "sales"))
    cashier = db.scalar(select(User).where(User.username == "finance")) or admin
    if seller is None:
        return 0
    made = 0
    for earlier in db.scalars(select(Contract).options(selectinload(Contract.schedule))):
        _pay_due(db, cashier, earlier, today)  # the pipeline's contracts: paid up to date
    for name, phone, slug, days_ago, months_paid in BUYERS:
        apartment = db.scalar(
            select(Apartment)
            .join(Building)
            .join(Complex)
            .where(Complex.slug == slug, Apartment.status == ApartmentStatus.FREE)
            .order_by(Apartment.floor, Apartment.id)
            .limit(1)
        )
        if apartment is None:
            continue
        lead, _ = pipeline.create(db, seller, LeadCreate(name=name, phone=phone))
        booking = bookings.create(db, seller, BookingCreate(apartment_id=apartment.id, lead_id=lead.id), 72)
        start = today - timedelta(days=days_ago)
        down = (apartment.total_price * Decimal("0.2")).quantize(Decimal("1"))
        contract = contracts.create(
            db,
            seller,
            ContractCreate(
                booking_id=booking.id,
                buyer_full_name=name,
                buyer_passport="AC" + phone[-7:],
                buyer_phone=phone,
                buyer_address="г. Ташкент",
                down_payment=down,
                months=12,
                start_date=start,
            ),
            5,
        )
        made += 1
        _pay_months(db, cashier, contract, months_paid)
    return made


def _pay_due(db: Session, cashier: User, contract: Contract, today: date) -> None:
    """Pay every instalment already due, on its due date."""
    due = [i for i in contract.schedule if i.due_date <= today]
    _pay_months(db, cashier, contract, len(due) - 1)


def _pay_months(db: Session, cashier: User, contract: Contract, months_paid: int) -> None:
    """The down payment and the first `months_paid` instalments, on their due dates."""
    for item in sorted(contract.schedule, key=lambda i: i.seq)[: months_paid + 1]:
        in_other_currency = contract.currency == Currency.USD and item.seq % 2 == 0
        if in_other_currency:
            rate = rates.on(db, item.due_date) or Decimal("12700")
            data = PaymentCreate(
                contract_id=contract.id,
                amount=(item.amount * rate).quantize(Decimal("1")),
                paid_at=item.due_date,
                method=PaymentMethod.CASH,
                currency=Currency.UZS,
                rate=rate,
            )
        else:
            data = PaymentCreate(
                contract_id=contract.id,
                amount=item.amount,
                paid_at=item.due_date,
                method=PaymentMethod.TRANSFER if item.seq % 3 else PaymentMethod.CARD,
            )
        payments.record(db, cashier, data)

"""Demo pipeline: leads in every status for sales and sales2, bookings (one about to expire)
and contracts with payment schedules."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core import clock
from app.domain.bookings.crud import bookings
from app.domain.bookings.models import Booking
from app.domain.bookings.schemas import BookingCreate
from app.domain.contracts.crud import contracts
from app.domain.contracts.schemas import ContractCreate
from app.domain.inventory.models import Apartment, ApartmentStatus, Building, Complex
from app.domain.leads.crud import pipeline
from app.domain.leads.models import Lead, LeadSource, LeadStatus, Temperature
from app.domain.leads.schemas import CommentCreate, LeadCreate, LeadEdit, StatusChange

# (name, phone, temperature, what happens to the lead)
PLAN = {
    "sales": [
        ("Рустам Хакимов", "+998901110001", Temperature.HOT, "new"),
        ("Sevara Nazarova", "+998901110002", Temperature.WARM, "new"),
        ("Бобур Исмоилов", "+998901110003", Temperature.HOT, "callback_overdue"),
        ("Lola Yusupova", "+998901110004", Temperature.WARM, "callback_today"),
        ("Тимур Рахимов", "+998901110005", Temperature.HOT, "booked_expiring"),
        ("Nilufar Saidova", "+998901110006", Temperature.WARM, "booked"),
        ("Шерзод Каримов", "+998901110007", Temperature.HOT, "sold"),
        ("Dilshod Aliyev", "+998901110008", Temperature.COLD, "lost"),
    ],
    "sales2": [
        ("Зарина Мирзаева", "+998901120001", Temperature.WARM, "new"),
        ("Akmal Tursunov", "+998901120002", Temperature.HOT, "callback_today"),
        ("Фарход Эргашев", "+998901120003", Temperature.HOT, "booked"),
        ("Malika Qodirova", "+998901120004", Temperature.WARM, "sold"),
        ("Санжар Абдуллаев", "+998901120005", Temperature.COLD, "lost"),
    ],
}


def _free_apartments(db: Session, slug: str) -> list[Apartment]:
    q = (
        select(Apartment)
        .join(Building)
        .join(Complex)
        .where(Complex.slug == slug, Apartment.status == ApartmentStatus.FREE)
        .order_by(Apartment.floor.desc(), Apartment.id)
    )
    return list(db.scalars(q))


def load_demo_pipeline(db: Session, booking_hours: int = 72) -> int:
    """Create the demo pipeline once (skipped when its first lead exists); returns leads created."""
    if db.scalar(select(Lead.id).where(Lead.phone == PLAN["sales"][0][1])):
        return 0
    flats = {"bahor": _free_apartments(db, "bahor"), "samarkand-gardens": _free_apartments(db, "samarkand-gardens")}
    created = 0
    for username, plan in PLAN.items():
        seller = db.scalar(select(User).where(User.username == username))
        if seller is None:
            continue
        for index, (name, phone, temperature, fate) in enumerate(plan):
            slug = "bahor" if index % 2 == 0 else "samarkand-gardens"
            complex_id = db.scalar(select(Complex.id).where(Complex.slug == slug))
            lead, _ = pipeline.create(
                db,
                seller,
                LeadCreate(
                    name=name,
                    phone=phone,
                    temperature=temperature,
                    complex_id=complex_id,
                    source=LeadSource.CALL if index % 3 else LeadSource.INSTAGRAM,
                    comment="Первый звонок",
                ),
            )
            created += 1
            _play(db, seller, lead, fate, flats[slug], booking_hours)
    return created


def _play(db: Session, seller: User, lead: Lead, fate: str, flats: list[Apartment], hours: int) -> None:
    """Move a demo lead to where its story ends."""
    if fate == "new":
        return
    pipeline.change_status(db, seller, lead.id, StatusChange(status=LeadStatus.IN_WORK))
    if fate == "callback_overdue":
        pipeline.edit(
            db,
            seller,
            lead.id,
            LeadEdit(temperature=lead.temperature, next_callback_at=clock.now() - timedelta(days=1, hours=2)),
        )
    elif fate == "callback_today":
        pipeline.edit(
            db,
            seller,
            lead.id,
            LeadEdit(temperature=lead.temperature, next_callback_at=clock.now() + timedelta(hours=1)),
        )
    elif fate == "lost":
        pipeline.change_status(db, seller, lead.id, StatusChange(status=LeadStatus.LOST, reason="Купил у конкурента"))
    elif fate.startswith("booked") or fate == "sold":
        flat = flats.pop(0)
        booking = bookings.create(
            db,
            seller,
            BookingCreate(apartment_id=flat.id, lead_id=lead.id, hours=3 if fate == "booked_expiring" else hours),
            hours,
        )
        pipeline.comment(db, seller, lead.id, CommentCreate(text=f"Забронирована квартира {flat.number}"))
        if fate == "sold":
            _sign(db, seller, booking, lead)


def _sign(db: Session, seller: User, booking: Booking, lead: Lead) -> None:
    """A contract with 10% down and 24 monthly instalments, started last month."""
    price = db.scalar(select(Apartment.total_price).where(Apartment.id == booking.apartment_id))
    start = clock.today() - timedelta(days=35)
    contracts.create(
        db,
        seller,
        ContractCreate(
            booking_id=booking.id,
            buyer_full_name=lead.name,
            buyer_passport="AA" + lead.phone[-7:],
            buyer_phone=lead.phone,
            buyer_address="г. Ташкент",
            down_payment=(price * Decimal("0.1")).quantize(Decimal("1")),
            months=24,
            start_date=start,
        ),
        discount_limit_percent=5,
    )

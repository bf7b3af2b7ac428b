"""Demo marketing: expense categories, three campaigns with their expenses (some in USD), and
requests from the landing pages carrying the campaigns' utm_campaign tags, two of them sold.
Skipped when the first campaign exists, so running the demo twice changes nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core import clock
from app.domain.bookings.crud import bookings
from app.domain.bookings.schemas import BookingCreate
from app.domain.contracts.crud import contracts
from app.domain.contracts.schemas import ContractCreate
from app.domain.inventory.models import Apartment, ApartmentStatus, Building, Complex
from app.domain.leads.crud import leads
from app.domain.leads.models import Lead
from app.domain.leads.schemas import LeadRequest
from app.domain.marketing.campaigns import campaigns
from app.domain.marketing.crud import categories, expenses
from app.domain.marketing.models import Campaign, ExpenseCategory
from app.domain.marketing.schemas import CampaignWrite, CategoryName, ExpenseWrite

CATEGORIES = ["Таргетированная реклама", "Наружная реклама", "Печать", "Блогеры", "Мероприятия"]
# (name, channel, utm key, complex slug, budget, started days ago, lasts days or None)
CAMPAIGNS = [
    ("Instagram — ЖК Бахор", "instagram", "insta-bahor", "bahor", "30000000", 50, None),
    ("Telegram-каналы", "telegram", "tg-channels", None, "12000000", 40, 60),
    ("Билборды Самарканд", "outdoor", "billboard-samarkand", "samarkand-gardens", "45000000", 35, None),
]
# (campaign key, category, amount, currency, days ago, note)
EXPENSES = [
    ("insta-bahor", "Таргетированная реклама", "4500000", "UZS", 48, "Запуск кампании"),
    ("insta-bahor", "Таргетированная реклама", "3200000", "UZS", 20, "Продление показов"),
    ("insta-bahor", "Блогеры", "350", "USD", 12, "Обзор ЖК у блогера"),
    ("tg-channels", "Таргетированная реклама", "2800000", "UZS", 38, "Посты в трёх каналах"),
    ("tg-channels", "Печать", "600000", "UZS", 30, "Листовки у метро"),
    ("billboard-samarkand", "Наружная реклама", "1200", "USD", 33, "Аренда двух щитов на месяц"),
    ("billboard-samarkand", "Печать", "1800000", "UZS", 33, "Печать баннеров"),
    (None, "Мероприятия", "2500000", "UZS", 15, "День открытых дверей"),
]
# (name, phone, campaign key, arrived days ago); the first of each campaign is sold
REQUESTS = [
    ("Жасур Тошматов", "+998935550101", "insta-bahor", 44),
    ("Madina Rahimova", "+998935550102", "insta-bahor", 30),
    ("Ойбек Назаров", "+998935550103", "insta-bahor", 18),
    ("Gulnora Sobirova", "+998935550104", "insta-bahor", 6),
    ("Алишер Каюмов", "+998935550105", "insta-bahor", 1),
    ("Nodir Xolmatov", "+998935550201", "tg-channels", 36),
    ("Шахло Мирзаева", "+998935550202", "tg-channels", 25),
    ("Bekzod Yuldashev", "+998935550203", "tg-channels", 9),
    ("Камола Усмонова", "+998935550301", "billboard-samarkand", 31),
    ("Otabek Qodirov", "+998935550302", "billboard-samarkand", 14),
    ("Дильшод Рашидов", "+998935550303", "billboard-samarkand", 3),
    ("Sardor Ergashev", "+998935550401", "", 22),
]


def load_demo_marketing(db: Session, admin: User) -> int:
    """Create the demo marketing data once; returns the campaigns created."""
    if db.scalar(select(Campaign.id).where(Campaign.utm_campaign == CAMPAIGNS[0][2])):
        return 0
    today = clock.today()
    admin = db.scalar(select(User).where(User.username == "rop")) or admin  # the ROP keeps them
    kinds = {}
    for name in CATEGORIES:
        existing = db.scalar(select(ExpenseCategory).where(ExpenseCategory.name == name))
        kinds[name] = existing or categories.create(db, admin, CategoryName(name=name))
    made = {}
    for name, channel, key, slug, budget, ago, days in CAMPAIGNS:
        complex_id = db.scalar(select(Complex.id).where(Complex.slug == slug)) if slug else None
        start = today - timedelta(days=ago)
        data = CampaignWrite(
            name=name,
            channel=channel,
            utm_campaign=key,
            complex_id=complex_id,
            budget=Decimal(budget),
            start_date=start,
            end_date=start + timedelta(days=days) if days else None,
        )
        made[key] = campaigns.create(db, admin, data)
    for key, kind, amount, currency, ago, note in EXPENSES:
        campaign = made.get(key)
        data = ExpenseWrite(
            day=today - timedelta(days=ago),
            amount=Decimal(amount),
            currency=currency,
            category_id=kinds[kind].id,
            complex_id=campaign.complex_id if campaign else None,
            campaign_id=campaign.id if campaign else None,
            note=note,
        )
        expenses.create(db, admin, data)
    _requests(db, made)
    return len(made)


def _requests(db: Session, made: dict[str, Campaign]) -> None:
    """Landing requests with the campaigns' tags, dated back; the first of each campaign sold by `sales`."""
    seller = db.scalar(select(User).where(User.username == "sales"))
    sold: set[str] = set()
    for index, (name, phone, key, ago) in enumerate(REQUESTS):
        slug = None
        campaign = made.get(key)
        if campaign and campaign.complex_id:
            slug = db.scalar(select(Complex.slug).where(Complex.id == campaign.complex_id))
        request = LeadRequest(name=name, phone=phone, complex_slug=slug, utm_source=key.split("-")[0], utm_campaign=key)
        lead, created = leads.submit_request(db, request, f"demo-marketing-{index}")
        if not created:
            continue
        lead.created_at = lead.last_touch_at = clock.now() - timedelta(days=ago, hours=index % 5)
        db.flush()
        if seller is not None and key and key not in sold:
            sold.add(key)
            _sell(db, seller, lead, slug or "bahor")


def _sell(db: Session, seller: User, lead: Lead, slug: str) -> None:
    """Book a free apartment of `slug` for the lead and sign a contract with 20% down over 12 months."""
    flat = db.scalar(
        select(Apartment)
        .join(Building)
        .join(Complex)
        .where(Complex.slug == slug, Apartment.status == ApartmentStatus.FREE)
        .order_by(Apartment.floor, Apartment.id)
        .limit(1)
    )
    if flat is None:
        return
    lead.assigned_id = seller.id
    db.flush()
    booking = bookings.create(db, seller, BookingCreate(apartment_id=flat.id, lead_id=lead.id), 72)
    contracts.create(
        db,
        seller,
        ContractCreate(
            booking_id=booking.id,
            buyer_full_name=lead.name,
            buyer_passport="AC" + lead.phone[-7:],
            buyer_phone=lead.phone,
            buyer_address="г. Ташкент",
            down_payment=(flat.total_price * Decimal("0.2")).quantize(Decimal("1")),
            months=12,
            start_date=clock.today(),
        ),
        discount_limit_percent=5,
    )

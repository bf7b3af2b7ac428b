"""Demo inventory and leads: two public complexes with buildings, drawn floors and requests."""

from __future__ import annotations

import random
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.domain.inventory.crud import buildings, complexes
from app.domain.inventory.grids import floor_grids
from app.domain.inventory.models import Apartment, ApartmentStatus, Complex, Currency
from app.domain.inventory.schemas import (
    BuildingCreate,
    ComplexCreate,
    ComplexUpdate,
    GenerateApartments,
    GridCell,
    GridLayout,
)
from app.domain.leads.crud import leads
from app.domain.leads.schemas import LeadRequest

COMPLEXES = [
    {
        "complex": ComplexCreate(
            name="ЖК Бахор",
            slug="bahor",
            city="Ташкент",
            address="Юнусабадский район, ул. Бахор, 12",
            description="Жилой комплекс комфорт-класса у парка: закрытый двор, подземный паркинг, школа и "
            "детский сад рядом. Рассрочка до 36 месяцев без переплаты.",
            currency=Currency.UZS,
            is_public=True,
        ),
        "buildings": [("Блок A", 16, 2, 6), ("Блок B", 12, 1, 4), ("Блок C", 9, 1, 5)],
        "price_per_m2": Decimal("9800000"),
    },
    {
        "complex": ComplexCreate(
            name="ЖК Samarkand Gardens",
            slug="samarkand-gardens",
            city="Самарканд",
            address="ул. Регистан, 45",
            description="Клубный дом в историческом центре Самарканда: панорамные окна, терраса на крыше, "
            "охраняемая территория. Цены в долларах США.",
            currency=Currency.USD,
            is_public=True,
        ),
        "buildings": [("Корпус 1", 12, 2, 4), ("Корпус 2", 10, 1, 4)],
        "price_per_m2": Decimal("850"),
    },
]
ROOMS_AND_AREA = [
    (1, Decimal("42.50")),
    (2, Decimal("61.30")),
    (3, Decimal("84.70")),
    (2, Decimal("58.90")),
    (1, Decimal("39.80")),
    (3, Decimal("92.10")),
]
DEMO_REQUESTS = [
    ("Алишер Усманов", "+998 90 111 22 33", "bahor", "instagram"),
    ("Madina Karimova", "+998 91 234 56 78", "bahor", "google"),
    ("Jasur Toshmatov", "93 555 44 33", "samarkand-gardens", ""),
    ("Гульнора Ахмедова", "+998 94 777 88 99", "samarkand-gardens", "telegram"),
]


def load_demo_inventory(db: Session, admin: User) -> int:
    """Create the demo complexes once (by slug); returns how many were created."""
    rng = random.Random(2026)
    created = 0
    for spec in COMPLEXES:
        if db.scalar(select(Complex.id).where(Complex.slug == spec["complex"].slug)):
            continue
        wanted = spec["complex"]
        complex_ = complexes.create(db, admin, wanted.model_copy(update={"is_public": False}))
        for name, floors, sections, units in spec["buildings"]:
            building = buildings.create(
                db, admin, complex_.id, BuildingCreate(name=name, floors=floors, sections=sections)
            )
            buildings.generate(
                db,
                admin,
                building.id,
                GenerateApartments(units_per_floor=units, numbering="floor", price_per_m2=spec["price_per_m2"]),
            )
            _vary_apartments(db, building.id, floors, spec["price_per_m2"], rng)
            _draw_floors(db, admin, building.id, units, floors)
        if wanted.is_public:  # shown on the site only now that its buildings have apartments
            complexes.update(db, admin, complex_.id, ComplexUpdate(**wanted.model_dump(exclude={"slug"})))
        created += 1
    if created:
        for name, phone, slug, utm in DEMO_REQUESTS:
            request = LeadRequest(name=name, phone=phone, complex_slug=slug, utm_source=utm)
            leads.submit_request(db, request, address="demo")
    return created


def _vary_apartments(db: Session, building_id: int, floors: int, base_price: Decimal, rng: random.Random) -> None:
    """Realistic variety: room counts and areas by position, higher floors dearer, some booked or sold."""
    flats = db.scalars(
        select(Apartment).where(Apartment.building_id == building_id).order_by(Apartment.floor, Apartment.id)
    ).all()
    for flat in flats:
        rooms, area = ROOMS_AND_AREA[int(flat.number[-2:]) % len(ROOMS_AND_AREA)]
        floor_factor = Decimal(1) + Decimal(flat.floor) / Decimal(100)
        price = (base_price * floor_factor).quantize(Decimal("1"))
        flat.rooms, flat.area, flat.price_per_m2 = rooms, area, price
        flat.total_price = (area * price).quantize(Decimal("0.01"))
        roll = rng.random()
        if flat.floor <= floors // 3 and roll < 0.45:
            flat.status = ApartmentStatus.SOLD
        elif roll < 0.12:
            flat.status = ApartmentStatus.BOOKED
        elif roll > 0.97:
            flat.status = ApartmentStatus.NOT_FOR_SALE
    db.flush()


def _draw_floors(db: Session, admin: User, building_id: int, units: int, floors: int) -> None:
    """Draw the first three floors: a row of flats above a corridor, end flats taller."""
    for floor in range(1, min(floors, 3) + 1):
        flats = db.scalars(
            select(Apartment)
            .where(Apartment.building_id == building_id, Apartment.floor == floor)
            .order_by(Apartment.number)
        ).all()
        cells, x = [], 0
        for position, flat in enumerate(flats):
            width = 3 if position in (0, units - 1) else 2
            height = 3 if position in (0, units - 1) else 2
            cells.append(GridCell(x=x, y=0, w=width, h=height, apartment_id=flat.id))
            x += width
        floor_grids.save(db, admin, building_id, floor, GridLayout(cols=x, rows=4, cells=cells))

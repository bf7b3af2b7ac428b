"""Small factories for test data."""

from __future__ import annotations

import itertools
from functools import cache

from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.passwords import hash_password
from app.auth.permissions import Role

PASSWORD = "correct-horse-9"
_counter = itertools.count(1)


@cache
def password_hash() -> str:
    """The Argon2 hash of PASSWORD, computed once per run (hashing is slow on purpose)."""
    return hash_password(PASSWORD)


def make_user(db: Session, role: Role, username: str | None = None, **fields) -> User:
    """Create an active user of `role` whose password is PASSWORD."""
    user = User(
        username=username or f"{role.value}{next(_counter)}",
        role=role,
        password_hash=password_hash(),
        full_name=fields.pop("full_name", f"Test {role.value.title()}"),
        phone=fields.pop("phone", ""),
        **fields,
    )
    db.add(user)
    db.flush()
    return user


PUBLISH_WHEN_FILLED = "publish_when_filled"  # Session.info key: complexes to publish once they have apartments


def make_complex(db: Session, slug: str = "test-complex", public: bool = True, currency: str = "UZS", **fields):
    """A complex created through its CRUD, as an admin would; a public one (the default) is published,
    as an admin must, once `make_building` has given it apartments."""
    from app.domain.inventory.crud import complexes
    from app.domain.inventory.schemas import ComplexCreate

    admin = fields.pop("actor", None) or make_user(db, Role.ADMIN)
    data = ComplexCreate(
        name=fields.pop("name", slug.replace("-", " ").title()),
        slug=slug,
        currency=currency,
        **fields,
    )
    created = complexes.create(db, admin, data)
    if public:
        db.info.setdefault(PUBLISH_WHEN_FILLED, set()).add(created.id)
    return created


def publish(db: Session, complex_id: int, actor: User | None = None):
    """Show a complex on the public site through its CRUD (it must have apartments by now)."""
    from app.domain.inventory.crud import complexes
    from app.domain.inventory.schemas import ComplexUpdate

    target = complexes.get(db, complex_id)
    fields = {name: getattr(target, name) for name in ("name", "city", "address", "description", "currency")}
    return complexes.update(db, actor or make_user(db, Role.ADMIN), complex_id, ComplexUpdate(**fields, is_public=True))


def make_building(
    db: Session,
    complex_id: int,
    name: str = "A",
    floors: int = 5,
    units: int = 4,
    price_per_m2: str = "1000",
    sections: int = 1,
):
    """A building with floors x units free apartments numbered by floor (101, 102, ...)."""
    from decimal import Decimal

    from app.domain.inventory.crud import buildings
    from app.domain.inventory.schemas import BuildingCreate, GenerateApartments

    admin = make_user(db, Role.ADMIN)
    building = buildings.create(db, admin, complex_id, BuildingCreate(name=name, floors=floors, sections=sections))
    if units:
        buildings.generate(
            db,
            admin,
            building.id,
            GenerateApartments(units_per_floor=units, numbering="floor", price_per_m2=Decimal(price_per_m2)),
        )
        waiting = db.info.get(PUBLISH_WHEN_FILLED, set())
        if complex_id in waiting:
            waiting.discard(complex_id)
            publish(db, complex_id, admin)
    return building


def make_lead(db: Session, owner: User | None = None, phone: str | None = None, name: str = "Buyer", **fields):
    """A lead assigned to `owner` (a salesperson), created as a request would."""
    from app.domain.leads.models import Lead, LeadSource

    lead = Lead(
        name=name,
        phone=phone or f"+99890{next(_counter):07d}",
        source=fields.pop("source", LeadSource.CALL),
        assigned_id=owner.id if owner else None,
        **fields,
    )
    db.add(lead)
    db.flush()
    return lead


def free_apartment(db: Session, slug: str | None = None, price_per_m2: str = "1000"):
    """A free apartment in a new public complex (one building, one floor, one flat)."""
    from app.domain.inventory.crud import apartments

    complex_ = make_complex(db, slug or f"complex-{next(_counter)}")
    building = make_building(db, complex_.id, floors=1, units=1, price_per_m2=price_per_m2)
    return apartments.for_building(db, building.id)[0]


def make_contract(
    db: Session, price_per_m2: str = "1000", down_payment: str = "0", months: int = 4, start=None, currency: str = "UZS"
):
    """A signed contract (booking converted) over a fresh apartment; returns the Contract."""
    from datetime import date
    from decimal import Decimal

    from app.domain.bookings.crud import bookings
    from app.domain.bookings.schemas import BookingCreate
    from app.domain.contracts.crud import contracts
    from app.domain.contracts.schemas import ContractCreate
    from app.domain.inventory.crud import apartments

    seller = make_user(db, Role.SALES)
    complex_ = make_complex(db, f"contract-{next(_counter)}", currency=currency)
    building = make_building(db, complex_.id, floors=1, units=1, price_per_m2=price_per_m2)
    apartment = apartments.for_building(db, building.id)[0]
    lead = make_lead(db, seller)
    booking = bookings.create(db, seller, BookingCreate(apartment_id=apartment.id, lead_id=lead.id), 72)
    return contracts.create(
        db,
        seller,
        ContractCreate(
            booking_id=booking.id,
            buyer_full_name="Каримов Азиз",
            buyer_passport="AB1234567",
            buyer_phone="+998901234567",
            down_payment=Decimal(down_payment),
            months=months,
            start_date=start or date(2026, 1, 10),
        ),
        5,
    )


ALL_DAY = {str(d): ["00:00", "23:59"] for d in range(7)}


def make_technician(db: Session, name: str | None = None, skills=("general", "plumber"), hours=None, **fields):
    """An active technician working every day from 00:00 to 23:59 unless `hours` says otherwise."""
    from app.domain.dispatch.models import Technician

    row = Technician(
        name=name or f"Мастер {next(_counter)}",
        phone="+998901112233",
        skills=list(skills),
        color="#3b82f6",
        hours=ALL_DAY if hours is None else hours,
        is_active=fields.pop("is_active", True),
        **fields,
    )
    db.add(row)
    db.flush()
    return row


def make_work_order(db: Session, apartment_id: int | None = None, **fields):
    """A new defect order on a fresh (or the given) apartment, through the CRUD as a dispatcher."""
    from app.domain.dispatch.crud import work_orders
    from app.domain.dispatch.schemas import WorkOrderCreate

    actor = fields.pop("actor", None) or make_user(db, Role.DISPATCHER)
    if apartment_id is None:
        apartment_id = free_apartment(db).id
    data = {"apartment_id": apartment_id, "kind": "defect", "title": "Течёт кран"} | fields
    return work_orders.create(db, actor, WorkOrderCreate.model_validate(data), DUE_RULES)


DUE_RULES = ({"handover": 14, "defect": 7, "viewing": 3, "maintenance": 30}, {1: 1, 2: 3})

HANDOVER_BODY = {  # a good handover form: readings, keys, two defects, accepted with remarks, done
    "electricity": "1234.5",
    "cold_water": "12.125",
    "hot_water": "7",
    "gas": None,
    "keys_count": 3,
    "defects": [
        {"title": "Трещина в стяжке", "required_skill": "finishing"},
        {"title": "Не работает розетка", "description": "в спальне", "required_skill": "electrician"},
    ],
    "acceptance": "with_remarks",
    "buyer_name": "Каримов Азиз",
    "remarks": "Трещина и розетка",
    "complete": True,
}

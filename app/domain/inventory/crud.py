"""Complexes, buildings and apartments: rules, row loading and audit; no HTTP."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from app.auth.models import User
from app.auth.permissions import P, can
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.paging import Page, apply_sort, paginate
from app.domain.audit.crud import audit
from app.domain.inventory.models import Apartment, ApartmentStatus, Building, Complex, ComplexImage, Currency
from app.domain.inventory.pricing import total_price
from app.domain.inventory.schemas import (
    ApartmentCreate,
    ApartmentFilter,
    ApartmentUpdate,
    BuildingCreate,
    BuildingUpdate,
    BulkApartments,
    ComplexCreate,
    ComplexFilter,
    ComplexUpdate,
    GenerateApartments,
)

COMPLEX_FIELDS = ("name", "slug", "city", "address", "description", "currency", "is_public")
BUILDING_FIELDS = ("name", "floors", "sections")
APARTMENT_FIELDS = ("number", "section", "floor", "rooms", "area", "price_per_m2", "total_price", "status")


def snapshot(obj: object, fields: Iterable[str]) -> dict:
    """The audited fields of a model instance."""
    return {name: getattr(obj, name) for name in fields}


def must_edit_inventory(actor: User) -> None:
    """Forbidden unless `actor` may change complexes, buildings, apartments and floor grids."""
    if not can(actor, P.INVENTORY_WRITE):
        raise Forbidden("Only an admin changes the inventory.")


def bump_inventory(db: Session, complex_ids: Iterable[int]) -> None:
    """Mark complexes' inventory as changed: caches and open grids key on this version."""
    ids = sorted(set(complex_ids))
    if ids:
        db.execute(update(Complex).where(Complex.id.in_(ids)).values(inventory_version=Complex.inventory_version + 1))


def _not_publishable() -> Invalid:
    """Why a complex without apartments stays off the site (a buyer would find an empty tile and grid)."""
    return Invalid(
        "Add a building with apartments first: a complex without apartments is not shown on the site.",
        field="is_public",
    )


class ComplexCRUD:
    """Residential complexes and their pictures."""

    sort_columns = {"name": Complex.name, "city": Complex.city, "created_at": Complex.created_at}

    def page(self, db: Session, f: ComplexFilter) -> Page[Complex]:
        """One page of complexes matching the filter."""
        q = select(Complex)
        if f.q:
            like = f"%{f.q.lower()}%"
            q = q.where(or_(func.lower(Complex.name).like(like), func.lower(Complex.city).like(like)))
        if f.is_public is not None:
            q = q.where(Complex.is_public == f.is_public)
        q = apply_sort(q, f.sort, self.sort_columns, "name").order_by(Complex.id)
        return paginate(db, q, f.page, f.page_size)

    def all(self, db: Session) -> list[Complex]:
        """Every complex with its buildings, by name (for selects and the staff grid menu)."""
        q = select(Complex).options(selectinload(Complex.buildings)).order_by(Complex.name)
        return list(db.scalars(q))

    def get(self, db: Session, complex_id: int) -> Complex:
        """A complex with its buildings and images, or NotFound."""
        q = (
            select(Complex)
            .where(Complex.id == complex_id)
            .options(selectinload(Complex.buildings), selectinload(Complex.images))
        )
        found = db.scalar(q)
        if found is None:
            raise NotFound("Complex not found.")
        return found

    def public(self, db: Session) -> list[Complex]:
        """Public complexes with their images and buildings, for the landing page."""
        q = (
            select(Complex)
            .where(Complex.is_public.is_(True))
            .options(selectinload(Complex.images), selectinload(Complex.buildings))
            .order_by(Complex.name)
        )
        return list(db.scalars(q))

    def public_with_free(self, db: Session) -> list[tuple[Complex, int, Decimal | None]]:
        """Public complexes (by name) that have apartments, with their free apartments and lowest free price
        (one more query); a public complex without any apartment would be an empty tile, and is left out."""
        found = self.public(db)
        is_free = Apartment.status == ApartmentStatus.FREE
        rows = (
            db.execute(
                select(
                    Building.complex_id,
                    func.count(Apartment.id).filter(is_free),
                    func.min(Apartment.total_price).filter(is_free),
                )
                .join(Apartment, Apartment.building_id == Building.id)
                .where(Building.complex_id.in_([c.id for c in found]))
                .group_by(Building.complex_id)
            ).all()
            if found
            else []
        )
        stats = {complex_id: (free, lowest) for complex_id, free, lowest in rows}
        return [(c, *stats[c.id]) for c in found if c.id in stats]

    def public_currency(self, db: Session, slug: str) -> Currency | None:
        """The currency of a public complex, or None when there is no such public complex."""
        return db.scalar(select(Complex.currency).where(Complex.slug == slug, Complex.is_public.is_(True)))

    def public_by_slug(self, db: Session, slug: str) -> Complex:
        """A public complex by its slug (with images and buildings), or NotFound."""
        q = (
            select(Complex)
            .where(Complex.slug == slug, Complex.is_public.is_(True))
            .options(selectinload(Complex.images), selectinload(Complex.buildings))
        )
        found = db.scalar(q)
        if found is None:
            raise NotFound("Complex not found.")
        return found

    def version_of(self, db: Session, slug: str) -> tuple[int, int] | None:
        """(id, inventory version) of a public complex: one cheap query for caches and polling."""
        row = db.execute(
            select(Complex.id, Complex.inventory_version).where(Complex.slug == slug, Complex.is_public.is_(True))
        ).first()
        return (row[0], row[1]) if row else None

    def version_of_building(self, db: Session, building_id: int) -> int:
        """The inventory version of the complex a building belongs to (0 when unknown)."""
        q = (
            select(Complex.inventory_version)
            .join(Building, Building.complex_id == Complex.id)
            .where(Building.id == building_id)
        )
        return db.scalar(q) or 0

    def has_apartments(self, db: Session, complex_id: int) -> bool:
        """True when a building of the complex has at least one apartment."""
        q = select(Apartment.id).join(Building, Apartment.building_id == Building.id)
        return db.scalar(q.where(Building.complex_id == complex_id).limit(1)) is not None

    def create(self, db: Session, actor: User, data: ComplexCreate) -> Complex:
        """Create a complex; Conflict when the slug is taken; never public yet (it has no apartments)."""
        must_edit_inventory(actor)
        if db.scalar(select(Complex.id).where(Complex.slug == data.slug)):
            raise Conflict("This address (slug) is already used by another complex.", field="slug")
        if data.is_public:
            raise _not_publishable()
        created = Complex(**data.model_dump())
        db.add(created)
        db.flush()
        audit.record(db, actor, "complex", created.id, "create", None, snapshot(created, COMPLEX_FIELDS))
        return created

    def update(self, db: Session, actor: User, complex_id: int, data: ComplexUpdate) -> Complex:
        """Change a complex's details; it goes public only once a building of it has apartments."""
        must_edit_inventory(actor)
        target = self.get(db, complex_id)
        if data.is_public and not target.is_public and not self.has_apartments(db, complex_id):
            raise _not_publishable()
        before = snapshot(target, COMPLEX_FIELDS)
        for name, value in data.model_dump().items():
            setattr(target, name, value)
        target.inventory_version += 1
        db.flush()
        audit.record(db, actor, "complex", target.id, "update", before, snapshot(target, COMPLEX_FIELDS))
        return target

    def add_image(self, db: Session, actor: User, complex_id: int, path: str, caption: str = "") -> ComplexImage:
        """Attach an uploaded picture to a complex."""
        must_edit_inventory(actor)
        target = self.get(db, complex_id)
        position = max((i.position for i in target.images), default=-1) + 1
        image = ComplexImage(complex_id=target.id, path=path, caption=caption[:200], position=position)
        db.add(image)
        target.inventory_version += 1
        db.flush()
        audit.record(db, actor, "complex", target.id, "add_image", None, {"path": path})
        return image

    def delete_image(self, db: Session, actor: User, complex_id: int, image_id: int) -> None:
        """Remove a picture from a complex."""
        must_edit_inventory(actor)
        image = db.get(ComplexImage, image_id)
        if image is None or image.complex_id != complex_id:
            raise NotFound("Image not found.")
        db.delete(image)
        bump_inventory(db, [complex_id])
        db.flush()
        audit.record(db, actor, "complex", complex_id, "delete_image", {"path": image.path}, None)


class BuildingCRUD:
    """Buildings of complexes and the generation of their apartments."""

    def get(self, db: Session, building_id: int) -> Building:
        """A building with its complex, or NotFound."""
        q = select(Building).where(Building.id == building_id).options(joinedload(Building.complex))
        found = db.scalar(q)
        if found is None:
            raise NotFound("Building not found.")
        return found

    def create(self, db: Session, actor: User, complex_id: int, data: BuildingCreate) -> Building:
        """Add a building to a complex; names are unique within a complex."""
        must_edit_inventory(actor)
        complexes.get(db, complex_id)
        self._check_name(db, complex_id, data.name)
        building = Building(complex_id=complex_id, **data.model_dump())
        db.add(building)
        db.flush()
        audit.record(db, actor, "building", building.id, "create", None, snapshot(building, BUILDING_FIELDS))
        return building

    def update(self, db: Session, actor: User, building_id: int, data: BuildingUpdate) -> Building:
        """Change a building; floors cannot drop below an existing apartment."""
        must_edit_inventory(actor)
        building = self.get(db, building_id)
        if data.name != building.name:
            self._check_name(db, building.complex_id, data.name)
        top = db.scalar(select(func.max(Apartment.floor)).where(Apartment.building_id == building_id)) or 0
        if data.floors < top:
            raise Invalid("Apartments exist up to floor %(floor)s.", field="floors", floor=top)
        before = snapshot(building, BUILDING_FIELDS)
        for name, value in data.model_dump().items():
            setattr(building, name, value)
        bump_inventory(db, [building.complex_id])
        db.flush()
        audit.record(db, actor, "building", building.id, "update", before, snapshot(building, BUILDING_FIELDS))
        return building

    def generate(self, db: Session, actor: User, building_id: int, data: GenerateApartments) -> dict[str, int]:
        """Create the missing apartments floors x units; existing numbers are left alone."""
        must_edit_inventory(actor)
        building = self.get(db, building_id)
        last_floor = data.last_floor or building.floors
        if last_floor > building.floors:
            raise Invalid("The building has only %(floors)s floors.", field="last_floor", floors=building.floors)
        existing = set(db.scalars(select(Apartment.number).where(Apartment.building_id == building_id)))
        created = skipped = 0
        for floor in range(data.first_floor, last_floor + 1):
            for unit in range(1, data.units_per_floor + 1):
                if data.numbering == "floor":
                    number = f"{floor}{unit:02d}"
                else:
                    number = str((floor - 1) * data.units_per_floor + unit)
                if number in existing:
                    skipped += 1
                    continue
                section = (unit - 1) * building.sections // data.units_per_floor + 1
                db.add(
                    Apartment(
                        building_id=building.id,
                        section=section,
                        floor=floor,
                        number=number,
                        rooms=data.rooms,
                        area=data.area,
                        price_per_m2=data.price_per_m2,
                        total_price=total_price(data.area, data.price_per_m2),
                        status=ApartmentStatus.FREE,
                    )
                )
                created += 1
        bump_inventory(db, [building.complex_id])
        db.flush()
        result = {"created": created, "skipped": skipped}
        audit.record(db, actor, "building", building.id, "generate_apartments", None, {**result, **data.model_dump()})
        return result

    def _check_name(self, db: Session, complex_id: int, name: str) -> None:
        taken = db.scalar(select(Building.id).where(Building.complex_id == complex_id, Building.name == name))
        if taken:
            raise Conflict("A building with this name already exists in the complex.", field="name")


class ApartmentCRUD:
    """Apartments: listing for staff, edits, bulk actions; every change audited."""

    sort_columns = {
        "number": Apartment.number,
        "floor": Apartment.floor,
        "rooms": Apartment.rooms,
        "area": Apartment.area,
        "price": Apartment.total_price,
        "status": Apartment.status,
    }

    def page(self, db: Session, f: ApartmentFilter) -> Page[Apartment]:
        """One page of apartments matching the filter, with building and complex loaded."""
        return paginate(db, self.query(f), f.page, f.page_size)

    def query(self, f: ApartmentFilter) -> Select:
        """The filtered, sorted apartments with building and complex joined (pages, exports)."""
        q = (
            select(Apartment)
            .join(Apartment.building)
            .options(joinedload(Apartment.building).joinedload(Building.complex))
        )
        if f.complex_id:
            q = q.where(Building.complex_id == f.complex_id)
        if f.building_id:
            q = q.where(Apartment.building_id == f.building_id)
        if f.floor:
            q = q.where(Apartment.floor == f.floor)
        if f.rooms is not None:
            q = q.where(Apartment.rooms == f.rooms)
        if f.status:
            q = q.where(Apartment.status == f.status)
        if f.price_min is not None:
            q = q.where(Apartment.total_price >= f.price_min)
        if f.price_max is not None:
            q = q.where(Apartment.total_price <= f.price_max)
        if f.q:
            q = q.where(Apartment.number == f.q.strip())
        return apply_sort(q, f.sort, self.sort_columns, "floor").order_by(Apartment.building_id, Apartment.id)

    def get(self, db: Session, apartment_id: int) -> Apartment:
        """An apartment with its building and complex, or NotFound."""
        q = (
            select(Apartment)
            .where(Apartment.id == apartment_id)
            .options(joinedload(Apartment.building).joinedload(Building.complex))
        )
        found = db.scalar(q)
        if found is None:
            raise NotFound("Apartment not found.")
        return found

    def status_of(self, db: Session, apartment_id: object) -> ApartmentStatus | None:
        """The stored status of an apartment given by id (as typed), or None when there is no such one."""
        text = str(apartment_id).strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 18:
            return None
        return db.scalar(select(Apartment.status).where(Apartment.id == int(text)))

    def for_building(self, db: Session, building_id: int) -> list[Apartment]:
        """Every apartment of a building, by floor and number."""
        q = select(Apartment).where(Apartment.building_id == building_id).order_by(Apartment.floor, Apartment.id)
        return list(db.scalars(q))

    def create(self, db: Session, actor: User, building_id: int, data: ApartmentCreate) -> Apartment:
        """Add an apartment to a building; the number is unique in the building."""
        must_edit_inventory(actor)
        building = buildings.get(db, building_id)
        self._check_place(db, building, data.number, data.floor, data.section)
        apartment = Apartment(
            building_id=building.id, **data.model_dump(), total_price=total_price(data.area, data.price_per_m2)
        )
        db.add(apartment)
        bump_inventory(db, [building.complex_id])
        db.flush()
        audit.record(db, actor, "apartment", apartment.id, "create", None, snapshot(apartment, APARTMENT_FIELDS))
        return apartment

    def update(self, db: Session, actor: User, apartment_id: int, data: ApartmentUpdate) -> Apartment:
        """Change an apartment's place, size, price or status."""
        must_edit_inventory(actor)
        apartment = self.get(db, apartment_id)
        self._check_place(db, apartment.building, data.number, data.floor, data.section, apartment.id)
        before = snapshot(apartment, APARTMENT_FIELDS)
        for name, value in data.model_dump().items():
            setattr(apartment, name, value)
        apartment.total_price = total_price(apartment.area, apartment.price_per_m2)
        bump_inventory(db, [apartment.building.complex_id])
        db.flush()
        audit.record(db, actor, "apartment", apartment.id, "update", before, snapshot(apartment, APARTMENT_FIELDS))
        return apartment

    def set_layout_image(self, db: Session, actor: User, apartment_id: int, path: str) -> Apartment:
        """Attach an uploaded layout picture to an apartment."""
        must_edit_inventory(actor)
        apartment = self.get(db, apartment_id)
        before = {"layout_image": apartment.layout_image}
        apartment.layout_image = path
        bump_inventory(db, [apartment.building.complex_id])
        db.flush()
        audit.record(db, actor, "apartment", apartment.id, "layout_image", before, {"layout_image": path})
        return apartment

    def bulk(self, db: Session, actor: User, data: BulkApartments) -> dict[str, int]:
        """Apply a bulk action; apartments it does not fit (e.g. sold) are skipped and counted."""
        must_edit_inventory(actor)
        q = select(Apartment).where(Apartment.id.in_(data.ids)).options(joinedload(Apartment.building))
        targets = list(db.scalars(q))
        if len(targets) != len(set(data.ids)):
            raise NotFound("Some of the selected apartments do not exist.")
        changed = skipped = 0
        for apartment in targets:
            before = snapshot(apartment, APARTMENT_FIELDS)
            if data.action == "set_price_per_m2":
                apartment.price_per_m2 = Decimal(data.price_per_m2)
                apartment.total_price = total_price(apartment.area, apartment.price_per_m2)
            elif data.action == "mark_not_for_sale" and apartment.status == ApartmentStatus.FREE:
                apartment.status = ApartmentStatus.NOT_FOR_SALE
            elif data.action == "mark_free" and apartment.status == ApartmentStatus.NOT_FOR_SALE:
                apartment.status = ApartmentStatus.FREE
            else:
                skipped += 1
                continue
            changed += 1
            audit.record(
                db, actor, "apartment", apartment.id, data.action, before, snapshot(apartment, APARTMENT_FIELDS)
            )
        bump_inventory(db, [a.building.complex_id for a in targets])
        db.flush()
        return {"changed": changed, "skipped": skipped}

    def _check_place(
        self, db: Session, building: Building, number: str, floor: int, section: int, own_id: int | None = None
    ) -> None:
        if floor > building.floors:
            raise Invalid("The building has only %(floors)s floors.", field="floor", floors=building.floors)
        if section > building.sections:
            raise Invalid("The building has only %(sections)s sections.", field="section", sections=building.sections)
        q = select(Apartment.id).where(Apartment.building_id == building.id, Apartment.number == number)
        taken = db.scalar(q)
        if taken and taken != own_id:
            raise Conflict("An apartment with this number already exists in the building.", field="number")


complexes = ComplexCRUD()
buildings = BuildingCRUD()
apartments = ApartmentCRUD()

"""Inventory rules: slugs, buildings, generation, apartments, bulk actions, versions, audit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.auth.permissions import Role
from app.core.errors import Conflict, Invalid, NotFound
from app.domain.audit.models import AuditEntry
from app.domain.inventory.crud import apartments, buildings, complexes
from app.domain.inventory.models import Apartment, ApartmentStatus, Complex
from app.domain.inventory.pricing import total_price
from app.domain.inventory.schemas import (
    ApartmentCreate,
    ApartmentFilter,
    ApartmentUpdate,
    BuildingUpdate,
    BulkApartments,
    ComplexCreate,
    ComplexUpdate,
    GenerateApartments,
)
from tests.factories import make_building, make_complex, make_user


def version(db, complex_id: int) -> int:
    return db.scalar(select(Complex.inventory_version).where(Complex.id == complex_id))


def test_total_price_rounds_half_up_to_the_cent():
    assert total_price(Decimal("42.55"), Decimal("1000.01")) == Decimal("42550.43")
    assert total_price(Decimal("10"), Decimal("0.005")) == Decimal("0.05")


def test_slug_must_be_unique_and_well_formed(db):
    make_complex(db, "bahor")
    with pytest.raises(Conflict):
        complexes.create(db, make_user(db, Role.ADMIN), ComplexCreate(name="Other", slug="bahor"))
    with pytest.raises(ValueError):
        ComplexCreate(name="Bad", slug="Bad Slug!")


def test_generate_numbers_by_floor_and_skips_existing(db):
    complex_ = make_complex(db)
    building = make_building(db, complex_.id, floors=3, units=2, sections=2)
    numbers = sorted(a.number for a in apartments.for_building(db, building.id))
    assert numbers == ["101", "102", "201", "202", "301", "302"]
    assert {a.section for a in apartments.for_building(db, building.id)} == {1, 2}
    again = buildings.generate(
        db,
        make_user(db, Role.ADMIN),
        building.id,
        GenerateApartments(units_per_floor=3, price_per_m2=Decimal("5"), numbering="floor"),
    )
    assert again == {"created": 3, "skipped": 6}


def test_generate_sequential_numbering_and_floor_range(db):
    building = make_building(db, make_complex(db).id, floors=4, units=0)
    admin = make_user(db, Role.ADMIN)
    buildings.generate(
        db,
        admin,
        building.id,
        GenerateApartments(
            units_per_floor=2, first_floor=2, last_floor=3, numbering="sequential", price_per_m2=Decimal("1")
        ),
    )
    assert sorted((a.floor, a.number) for a in apartments.for_building(db, building.id)) == [
        (2, "3"),
        (2, "4"),
        (3, "5"),
        (3, "6"),
    ]
    with pytest.raises(Invalid):
        buildings.generate(
            db,
            admin,
            building.id,
            GenerateApartments(units_per_floor=1, first_floor=1, last_floor=9, price_per_m2=Decimal("1")),
        )


def test_building_floors_cannot_drop_below_apartments(db):
    building = make_building(db, make_complex(db).id, floors=5, units=1)
    with pytest.raises(Invalid) as error:
        buildings.update(db, make_user(db, Role.ADMIN), building.id, BuildingUpdate(name="A", floors=3))
    assert error.value.field == "floors"


def test_apartment_number_unique_in_building_and_floor_checked(db):
    complex_ = make_complex(db)
    building = make_building(db, complex_.id, floors=2, units=1)
    admin = make_user(db, Role.ADMIN)
    with pytest.raises(Conflict):
        apartments.create(db, admin, building.id, ApartmentCreate(number="101", floor=1, rooms=1, area=Decimal(30)))
    with pytest.raises(Invalid):
        apartments.create(db, admin, building.id, ApartmentCreate(number="999", floor=3, rooms=1, area=Decimal(30)))
    other = make_building(db, complex_.id, name="B", floors=2, units=1)
    assert apartments.for_building(db, other.id)[0].number == "101"  # the same number in another building


def test_update_recomputes_price_bumps_version_and_audits(db):
    complex_ = make_complex(db)
    building = make_building(db, complex_.id, floors=1, units=1, price_per_m2="1000")
    flat = apartments.for_building(db, building.id)[0]
    before = version(db, complex_.id)
    apartments.update(
        db,
        make_user(db, Role.ADMIN),
        flat.id,
        ApartmentUpdate(
            number=flat.number,
            floor=1,
            section=1,
            rooms=3,
            area=Decimal("50.5"),
            price_per_m2=Decimal("2000"),
            status=ApartmentStatus.SOLD,
        ),
    )
    assert flat.total_price == Decimal("101000.00")
    assert version(db, complex_.id) == before + 1
    entry = db.scalars(
        select(AuditEntry).where(AuditEntry.entity == "apartment", AuditEntry.entity_id == str(flat.id))
    ).all()[-1]
    assert entry.before["status"] == "free" and entry.after["status"] == "sold"


def test_bulk_actions_skip_what_does_not_fit(db):
    building = make_building(db, make_complex(db).id, floors=1, units=3)
    a, b, c = apartments.for_building(db, building.id)
    c.status = ApartmentStatus.SOLD
    admin = make_user(db, Role.ADMIN)
    result = apartments.bulk(db, admin, BulkApartments(ids=[a.id, b.id, c.id], action="mark_not_for_sale"))
    assert result == {"changed": 2, "skipped": 1}
    assert (a.status, c.status) == (ApartmentStatus.NOT_FOR_SALE, ApartmentStatus.SOLD)
    priced = apartments.bulk(
        db, admin, BulkApartments(ids=[a.id], action="set_price_per_m2", price_per_m2=Decimal("3"))
    )
    assert priced["changed"] == 1 and a.total_price == total_price(a.area, Decimal("3"))
    with pytest.raises(NotFound):
        apartments.bulk(db, admin, BulkApartments(ids=[a.id, 999999], action="mark_free"))
    with pytest.raises(ValueError):
        BulkApartments(ids=[a.id], action="set_price_per_m2")


def test_apartment_filters(db):
    complex_ = make_complex(db)
    building = make_building(db, complex_.id, floors=3, units=2, price_per_m2="100")
    flats = apartments.for_building(db, building.id)
    flats[0].rooms, flats[0].status = 3, ApartmentStatus.BOOKED
    db.flush()
    assert apartments.page(db, ApartmentFilter(building_id=building.id)).total == 6
    assert apartments.page(db, ApartmentFilter(complex_id=complex_.id, floor=2)).total == 2
    assert [a.id for a in apartments.page(db, ApartmentFilter(building_id=building.id, rooms=3)).items] == [flats[0].id]
    assert apartments.page(db, ApartmentFilter(building_id=building.id, status="booked")).total == 1
    price = flats[1].total_price
    assert apartments.page(db, ApartmentFilter(building_id=building.id, price_min=price + 1)).total == 0
    assert apartments.page(db, ApartmentFilter(building_id=building.id, price_max=price)).total == 6
    assert apartments.page(db, ApartmentFilter(building_id=building.id, q="201")).total == 1


def test_deleting_nothing_missing(db):
    with pytest.raises(NotFound):
        apartments.get(db, 424242)
    with pytest.raises(NotFound):
        buildings.get(db, 424242)
    assert db.scalar(select(Apartment).where(Apartment.id == 424242)) is None


def test_a_floor_layout_of_an_impossible_size_is_refused_naming_the_size(db):
    from app.core.errors import InvalidMany
    from app.domain.inventory.grids import floor_grids
    from app.domain.inventory.schemas import GridLayout

    complex_ = make_complex(db, "grid-size")
    building = make_building(db, complex_.id, floors=2, units=1)
    admin = make_user(db, Role.ADMIN)
    for cols, rows, named in ((0, 3, "cols"), (999, 3, "cols"), (4, 0, "rows")):
        with pytest.raises(InvalidMany) as refused:
            floor_grids.save(db, admin, building.id, 1, GridLayout.model_construct(cols=cols, rows=rows, cells=[]))
        assert [p["loc"] for p in refused.value.problems] == [["body", named]]
    assert floor_grids.current(db, building.id, 1) is None


def _details(target: Complex, **changes) -> ComplexUpdate:
    """The complex's current details with `changes`, as the edit form sends them."""
    fields = {name: getattr(target, name) for name in ("name", "city", "address", "description", "currency")}
    return ComplexUpdate(**{**fields, "is_public": target.is_public, **changes})


def test_a_complex_goes_public_only_with_a_building_that_has_apartments(db):
    admin = make_user(db, Role.ADMIN)
    with pytest.raises(Invalid) as refused:
        complexes.create(db, admin, ComplexCreate(name="Пустой", slug="empty", is_public=True))
    assert refused.value.field == "is_public"
    assert db.scalar(select(Complex.id).where(Complex.slug == "empty")) is None
    target = complexes.create(db, admin, ComplexCreate(name="Пустой", slug="empty"))
    with pytest.raises(Invalid) as no_buildings:
        complexes.update(db, admin, target.id, _details(target, is_public=True))
    assert no_buildings.value.field == "is_public"
    building = make_building(db, target.id, units=0)  # a building, but no apartments yet
    with pytest.raises(Invalid):
        complexes.update(db, admin, target.id, _details(target, is_public=True))
    assert not complexes.get(db, target.id).is_public
    buildings.generate(db, admin, building.id, GenerateApartments(units_per_floor=2, price_per_m2=Decimal("10")))
    assert complexes.update(db, admin, target.id, _details(target, is_public=True)).is_public


def test_a_public_complex_keeps_its_details_editable(db):
    admin = make_user(db, Role.ADMIN)
    target = make_complex(db, "shown")
    make_building(db, target.id, floors=1, units=1)
    assert target.is_public
    renamed = complexes.update(db, admin, target.id, _details(target, name="Новое имя"))
    assert renamed.name == "Новое имя" and renamed.is_public
    assert not complexes.update(db, admin, target.id, _details(target, is_public=False)).is_public

"""Public JSON API for buyers: public complexes, their apartments and the request form.

Also the pieces the public HTML pages share with it: the apartment filters (one model, the
same rules in SQL and in Python) and the read queries of public inventory. Nothing here tells
who booked an apartment: statuses are free / booked / sold, and not-for-sale ones are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field, ValidationError, model_validator
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.auth.deps import DbSession, client_address
from app.core.errors import NotFound
from app.core.types import Id, Input, Int
from app.domain.inventory.crud import complexes
from app.domain.inventory.models import Apartment, ApartmentStatus, Building, Currency
from app.domain.leads.crud import leads
from app.domain.leads.schemas import LeadAccepted, LeadRequest
from app.web.i18n import gettext

router = APIRouter(prefix="/api/public", tags=["public"])

PUBLIC_STATUSES = (ApartmentStatus.FREE, ApartmentStatus.BOOKED, ApartmentStatus.SOLD)
MAX_PUBLIC_PAGE = 2000


class PublicFilter(Input):
    """What a buyer filters apartments by: rooms, floor range, price range, only free ones."""

    rooms: int | None = Field(None, ge=0, le=20)
    floor_min: int | None = Field(None, ge=1, le=100)
    floor_max: int | None = Field(None, ge=1, le=100)
    price_min: Decimal | None = Field(None, ge=0, max_digits=18, decimal_places=2)
    price_max: Decimal | None = Field(None, ge=0, max_digits=18, decimal_places=2)
    only_free: bool = False

    @model_validator(mode="before")
    @classmethod
    def _blank_is_unset(cls, data: Any) -> Any:
        """An empty field of the filter form means "any"."""
        if isinstance(data, Mapping):
            return {k: v for k, v in data.items() if v not in ("", None)}
        return data

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> PublicFilter:
        """The filters of a page's query string; a value nobody could mean is ignored, not a 422."""
        data = {name: params[name] for name in cls.model_fields if params.get(name) not in (None, "")}
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            bad = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
            return cls.model_validate({k: v for k, v in data.items() if k not in bad})

    def key(self) -> tuple[tuple[str, str], ...]:
        """The set filters in a canonical form: equal filters give equal keys (cache, ETag)."""
        return tuple((name, _canonical(value)) for name, value in self.values().items())

    def values(self) -> dict[str, Any]:
        """The filters that are set, by name."""
        return {
            name: value
            for name, value in self.model_dump(include=set(PublicFilter.model_fields)).items()
            if value not in (None, False)
        }

    def query_string(self) -> str:
        """The set filters as a query string (URLs of the page, its fragment and its polling)."""
        return urlencode([(name, "1" if value is True else value) for name, value in self.key()])

    @property
    def active(self) -> bool:
        """True when any filter is set."""
        return bool(self.values())

    def matches(self, apartment: Apartment) -> bool:
        """Whether `apartment` passes the filters (the same rules as `apply`)."""
        if apartment.status not in PUBLIC_STATUSES:
            return False
        checks = (
            self.rooms is None or apartment.rooms == self.rooms,
            self.floor_min is None or apartment.floor >= self.floor_min,
            self.floor_max is None or apartment.floor <= self.floor_max,
            self.price_min is None or apartment.total_price >= self.price_min,
            self.price_max is None or apartment.total_price <= self.price_max,
            not self.only_free or apartment.status == ApartmentStatus.FREE,
        )
        return all(checks)

    def apply(self, query: Select) -> Select:
        """`query` of apartments narrowed by the filters (the same rules as `matches`)."""
        query = query.where(Apartment.status.in_(PUBLIC_STATUSES))
        if self.rooms is not None:
            query = query.where(Apartment.rooms == self.rooms)
        if self.floor_min is not None:
            query = query.where(Apartment.floor >= self.floor_min)
        if self.floor_max is not None:
            query = query.where(Apartment.floor <= self.floor_max)
        if self.price_min is not None:
            query = query.where(Apartment.total_price >= self.price_min)
        if self.price_max is not None:
            query = query.where(Apartment.total_price <= self.price_max)
        if self.only_free:
            query = query.where(Apartment.status == ApartmentStatus.FREE)
        return query


def _canonical(value: Any) -> str:
    """A filter value as one string: 5e8, 500000000.00 and 500000000 are the same price."""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


class ApartmentsQuery(PublicFilter):
    """The filters of the public apartments list plus its page."""

    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(500, ge=1, le=MAX_PUBLIC_PAGE)


class PublicComplex(BaseModel):
    """A public complex as buyers see it."""

    slug: str
    name: str
    city: str
    address: str
    currency: Currency
    description: str
    images: list[str]
    free_apartments: int
    price_from: Decimal | None


class PublicApartment(BaseModel):
    """An apartment as buyers see it: no internal details, status free / booked / sold."""

    id: int
    number: str
    building: str
    section: int
    floor: Int
    rooms: int
    area: Decimal
    price_per_m2: Decimal
    price: Decimal
    status: ApartmentStatus


class PublicApartments(BaseModel):
    """One page of a complex's apartments and the inventory version it reflects."""

    items: list[PublicApartment]
    total: int
    page: int
    page_size: int
    version: Int


class Version(BaseModel):
    """The inventory version of a complex: it moves whenever an apartment changes."""

    version: Int


def public_apartments(db: Session, complex_id: Id, f: ApartmentsQuery) -> tuple[list[PublicApartment], int]:
    """One page of a complex's apartments on sale or sold, filtered, and the total."""
    base = f.apply(
        select(Apartment, Building.name)
        .join(Building, Apartment.building_id == Building.id)
        .where(Building.complex_id == complex_id)
    )
    total = db.scalar(select(func.count()).select_from(base.order_by(None).subquery())) or 0
    rows = db.execute(
        base.order_by(Building.name, Apartment.floor, Apartment.id)
        .limit(f.page_size)
        .offset((f.page - 1) * f.page_size)
    ).all()
    return [_apartment_read(apartment, building) for apartment, building in rows], total


def _apartment_read(apartment: Apartment, building_name: str) -> PublicApartment:
    return PublicApartment(
        id=apartment.id,
        number=apartment.number,
        building=building_name,
        section=apartment.section,
        floor=apartment.floor,
        rooms=apartment.rooms,
        area=apartment.area,
        price_per_m2=apartment.price_per_m2,
        price=apartment.total_price,
        status=apartment.status,
    )


def _version_or_404(db: Session, slug: str) -> tuple[int, int]:
    found = complexes.version_of(db, slug)
    if found is None:
        raise NotFound("Complex not found.")
    return found


@router.get("/complexes", response_model=list[PublicComplex])
def list_complexes(db: DbSession) -> list[PublicComplex]:
    """Public complexes with their pictures, free apartments and lowest price."""
    return [
        PublicComplex(
            slug=c.slug,
            name=c.name,
            city=c.city,
            address=c.address,
            currency=c.currency,
            description=c.description,
            images=[f"/media/{i.path}" for i in c.images],
            free_apartments=free,
            price_from=price_from,
        )
        for c, free, price_from in complexes.public_with_free(db)
    ]


@router.get("/complexes/{slug}/apartments", response_model=PublicApartments)
def list_apartments(db: DbSession, slug: str, f: Annotated[ApartmentsQuery, Query()]) -> PublicApartments:
    """A complex's apartments (free, booked, sold; not for sale left out), filtered, by building and floor."""
    complex_id, version = _version_or_404(db, slug)
    items, total = public_apartments(db, complex_id, f)
    return PublicApartments(items=items, total=total, page=f.page, page_size=f.page_size, version=version)


@router.get("/complexes/{slug}/version", response_model=Version)
def complex_version(db: DbSession, slug: str) -> Version:
    """The complex's inventory version, for clients that refresh when it moves."""
    return Version(version=_version_or_404(db, slug)[1])


@router.post("/leads", response_model=LeadAccepted, status_code=201)
def submit_lead(request: Request, db: DbSession, body: LeadRequest) -> LeadAccepted:
    """A buyer's request: a new lead, or a new touch of the lead with this phone (422 names a bad field)."""
    leads.submit_request(db, body, client_address(request))
    return LeadAccepted(message=gettext("Thank you! We will call you back soon."))

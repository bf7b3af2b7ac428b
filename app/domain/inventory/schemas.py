"""Pydantic models of the inventory: complexes, buildings, apartments, floor grids."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.core.paging import PageParams
from app.core.types import Input
from app.domain.inventory.models import ApartmentStatus, Currency

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
MAX_GRID_COLS = 60
MAX_GRID_ROWS = 30
MAX_GRID_CELLS = 600


class ComplexUpdate(Input):
    """Fields of a complex an admin edits."""

    name: str = Field(min_length=1, max_length=200)
    city: str = Field("", max_length=100)
    address: str = Field("", max_length=300)
    description: str = Field("", max_length=5000)
    currency: Currency = Currency.UZS
    is_public: bool = False

    @field_validator("name", "city", "address", "description")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()


class ComplexCreate(ComplexUpdate):
    """A new complex: its fields plus the URL slug (/c/<slug>)."""

    slug: str = Field(min_length=2, max_length=80, pattern=SLUG_PATTERN)


class ComplexFilter(PageParams):
    """Filters of the complexes list."""

    is_public: bool | None = None


class ImageRead(BaseModel):
    """A complex's picture."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    path: str
    caption: str

    @property
    def url(self) -> str:
        """Where the browser loads it."""
        return f"/media/{self.path}"


class ComplexRead(BaseModel):
    """A complex as the API shows it."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    slug: str
    city: str
    address: str
    description: str
    currency: Currency
    is_public: bool
    created_at: datetime
    updated_at: datetime


class BuildingUpdate(Input):
    """Fields of a building."""

    name: str = Field(min_length=1, max_length=100)
    floors: int = Field(ge=1, le=100)
    sections: int = Field(1, ge=1, le=50)


class BuildingCreate(BuildingUpdate):
    """A new building in a complex."""


class BuildingRead(BaseModel):
    """A building as the API shows it."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    complex_id: int
    name: str
    floors: int
    sections: int


class GenerateApartments(Input):
    """Create a building's apartments: floors x units per floor with a numbering scheme."""

    units_per_floor: int = Field(ge=1, le=30)
    first_floor: int = Field(1, ge=1, le=100)
    last_floor: int | None = Field(None, ge=1, le=100)
    numbering: Literal["sequential", "floor"] = "sequential"
    rooms: int = Field(2, ge=0, le=20)
    area: Decimal = Field(Decimal("60"), gt=0, le=10000, max_digits=8, decimal_places=2)
    price_per_m2: Decimal = Field(ge=0, max_digits=14, decimal_places=2)

    @model_validator(mode="after")
    def _floor_range(self) -> GenerateApartments:
        if self.last_floor is not None and self.last_floor < self.first_floor:
            raise ValueError("The last floor must not be below the first floor.")
        return self


class ApartmentFields(Input):
    """What makes an apartment: rooms, area and price per m²."""

    rooms: int = Field(ge=0, le=20)
    area: Decimal = Field(gt=0, le=10000, max_digits=8, decimal_places=2)
    price_per_m2: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)


class ApartmentCreate(ApartmentFields):
    """A new apartment on a floor of a building."""

    number: str = Field(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z\u0410-\u044f/-]+$")
    floor: int = Field(ge=1, le=100)
    section: int = Field(1, ge=1, le=50)


class ApartmentUpdate(ApartmentCreate):
    """An apartment's editable fields, status included."""

    status: ApartmentStatus


class ApartmentFilter(PageParams):
    """Filters of the apartments list."""

    complex_id: int | None = Field(None, ge=1)
    building_id: int | None = Field(None, ge=1)
    floor: int | None = Field(None, ge=1, le=100)
    rooms: int | None = Field(None, ge=0, le=20)
    status: ApartmentStatus | None = None
    price_min: Decimal | None = Field(None, ge=0)
    price_max: Decimal | None = Field(None, ge=0)


class BulkApartments(Input):
    """A bulk action on selected apartments."""

    ids: list[int] = Field(min_length=1, max_length=2000)
    action: Literal["set_price_per_m2", "mark_not_for_sale", "mark_free"]
    price_per_m2: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)

    @model_validator(mode="after")
    def _price_needed(self) -> BulkApartments:
        if self.action == "set_price_per_m2" and self.price_per_m2 is None:
            raise ValueError("Enter the price per m².")
        return self


class ApartmentRead(BaseModel):
    """An apartment as staff see it."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    building_id: int
    section: int
    floor: int
    number: str
    rooms: int
    area: Decimal
    price_per_m2: Decimal
    total_price: Decimal
    status: ApartmentStatus
    layout_image: str | None


class GridCell(Input):
    """A rectangle of grid squares, optionally bound to an apartment."""

    x: int = Field(ge=0, le=MAX_GRID_COLS)
    y: int = Field(ge=0, le=MAX_GRID_ROWS)
    w: int = Field(ge=1, le=MAX_GRID_COLS)
    h: int = Field(ge=1, le=MAX_GRID_ROWS)
    apartment_id: int | None = None


class GridLayout(Input):
    """A floor's layout as the editor saves it."""

    cols: int = Field(ge=1, le=MAX_GRID_COLS)
    rows: int = Field(ge=1, le=MAX_GRID_ROWS)
    cells: list[GridCell] = Field(max_length=MAX_GRID_CELLS)


class GridCopy(Input):
    """Copy a floor's layout to a range of floors (apartments matched by position)."""

    to_floor_from: int = Field(ge=1, le=100)
    to_floor_to: int = Field(ge=1, le=100)


class GridRead(GridLayout):
    """A saved floor layout version."""

    building_id: int
    floor: int
    version: int
    created_at: datetime | None
    created_by: str | None


class GridVersionRead(BaseModel):
    """One entry of a floor's layout history."""

    version: int
    created_at: datetime
    created_by: str | None
    cells: int

"""What the grid pages and their JSON twin show: the index of buildings, a building's grid, an apartment card."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.domain.inventory.crud import apartments, complexes
from app.domain.inventory.schemas import ApartmentRead


class GridBuilding(BaseModel):
    """A building in the grid index."""

    id: int
    name: str
    floors: int


class GridComplex(BaseModel):
    """A complex in the grid index."""

    id: int
    name: str
    currency: str
    buildings: list[GridBuilding]


class GridCellRead(BaseModel):
    """A drawn cell of a floor."""

    x: int
    y: int
    w: int
    h: int
    apartment: ApartmentRead | None


class GridFloorRead(BaseModel):
    """One floor: drawn cells where a layout exists, and its apartments."""

    floor: int
    cols: int
    rows: int
    cells: list[GridCellRead]
    apartments: list[ApartmentRead]


class BuildingGridRead(BaseModel):
    """A building's whole grid with the inventory version it reflects."""

    building_id: int
    name: str
    complex_name: str
    currency: str
    version: int
    floors: list[GridFloorRead]
    open_defects: dict[int, int] | None = None


class ApartmentCard(ApartmentRead):
    """An apartment with where it is and its currency."""

    complex_name: str
    building_name: str
    currency: str


def grid_index(db: Session) -> list[GridComplex]:
    """Complexes and their buildings, for the grid index."""
    return [
        GridComplex(
            id=c.id,
            name=c.name,
            currency=c.currency.value,
            buildings=[GridBuilding(id=b.id, name=b.name, floors=b.floors) for b in c.buildings],
        )
        for c in complexes.all(db)
    ]


def apartment_card(db: Session, apartment_id: int) -> ApartmentCard:
    """One apartment with where it is and its currency."""
    apartment = apartments.get(db, apartment_id)
    return ApartmentCard(
        **ApartmentRead.model_validate(apartment).model_dump(),
        complex_name=apartment.building.complex.name,
        building_name=apartment.building.name,
        currency=apartment.building.complex.currency.value,
    )

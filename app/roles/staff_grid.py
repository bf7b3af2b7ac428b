"""The staff apartment grid, shared by every role that sells or accounts (admin, sales,
MOP, ROP, finance): an index of buildings, a building's grid with live updates, and an
apartment card; each page with its JSON twin."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from app.auth.deps import DbSession
from app.core import clock
from app.domain.bookings.crud import bookings
from app.domain.finance.reports import overdue_days_by_apartment
from app.domain.inventory.crud import apartments, buildings, complexes
from app.domain.inventory.grids import floor_grids
from app.domain.inventory.schemas import ApartmentRead
from app.web.live import POLL_SECONDS, unchanged
from app.web.templating import render


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


class ApartmentCard(ApartmentRead):
    """An apartment with where it is and its currency."""

    complex_name: str
    building_name: str
    currency: str


def _index(db) -> list[GridComplex]:
    return [
        GridComplex(
            id=c.id,
            name=c.name,
            currency=c.currency.value,
            buildings=[GridBuilding(id=b.id, name=b.name, floors=b.floors) for b in c.buildings],
        )
        for c in complexes.all(db)
    ]


def _card(db, apartment_id: int) -> ApartmentCard:
    apartment = apartments.get(db, apartment_id)
    return ApartmentCard(
        **ApartmentRead.model_validate(apartment).model_dump(),
        complex_name=apartment.building.complex.name,
        building_name=apartment.building.name,
        currency=apartment.building.complex.currency.value,
    )


def html_routes(role_prefix: str) -> APIRouter:
    """The grid pages of one role's dashboard."""
    router = APIRouter()

    @router.get("/grid")
    def grid_index(request: Request, db: DbSession):
        """Complexes and their buildings, each linking to its grid."""
        return render(request, "features/grid/index.html", {"complexes": _index(db), "base": role_prefix})

    @router.get("/buildings/{building_id}/grid")
    def building_grid(request: Request, db: DbSession, building_id: int, since: int | None = None):
        """A building's grid, top floor first, coloured by status; polled for live changes."""
        building = buildings.get(db, building_id)
        version = complexes.version_of_building(db, building_id)
        if (nothing := unchanged(version, since)) is not None:
            return nothing
        floors = floor_grids.building_view(db, building)
        bookings.show_expired_as_free(db, [a for f in floors for a in f.apartments])
        overdue = overdue_days_by_apartment(db, [a.id for f in floors for a in f.apartments], clock.today())
        context = {
            "building": building,
            "floors": floors,
            "version": version,
            "overdue": overdue,
            "base": role_prefix,
            "poll_seconds": POLL_SECONDS,
        }
        return render(request, "features/grid/building.html", context, block="live")

    @router.get("/apartment-cards/{apartment_id}")
    def apartment_card(request: Request, db: DbSession, apartment_id: int):
        """The apartment card shown in a modal."""
        return render(request, "features/grid/apartment_card.html", {"card": _card(db, apartment_id)}, block="card")

    return router


def api_routes() -> APIRouter:
    """The JSON twin of the grid pages."""
    router = APIRouter()

    @router.get("/grid", response_model=list[GridComplex])
    def grid_index(db: DbSession):
        """Complexes and their buildings."""
        return _index(db)

    @router.get("/buildings/{building_id}/grid", response_model=BuildingGridRead)
    def building_grid(db: DbSession, building_id: int):
        """A building's floors, top first, with drawn cells and apartments."""
        building = buildings.get(db, building_id)
        views = floor_grids.building_view(db, building)
        bookings.show_expired_as_free(db, [a for f in views for a in f.apartments])
        floors = [
            GridFloorRead(
                floor=f.floor,
                cols=f.cols,
                rows=f.rows,
                cells=[GridCellRead(x=c.x, y=c.y, w=c.w, h=c.h, apartment=c.apartment) for c in f.cells],
                apartments=f.apartments,
            )
            for f in views
        ]
        return BuildingGridRead(
            building_id=building.id,
            name=building.name,
            complex_name=building.complex.name,
            currency=building.complex.currency.value,
            floors=floors,
            version=complexes.version_of_building(db, building_id),
        )

    @router.get("/apartment-cards/{apartment_id}", response_model=ApartmentCard)
    def apartment_card(db: DbSession, apartment_id: int):
        """One apartment with its complex, building and currency."""
        return _card(db, apartment_id)

    return router

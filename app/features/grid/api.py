"""The JSON twin of the staff apartment grid."""

from __future__ import annotations

from fastapi import APIRouter

from app.auth.deps import CurrentUser, DbSession
from app.auth.permissions import P, can
from app.core.types import Id
from app.domain.bookings.crud import bookings
from app.domain.dispatch.handovers import handovers
from app.domain.inventory.crud import buildings, complexes
from app.domain.inventory.grids import floor_grids
from app.features.grid.views import (
    ApartmentCard,
    BuildingGridRead,
    GridCellRead,
    GridComplex,
    GridFloorRead,
    apartment_card,
    grid_index,
)

router = APIRouter()


@router.get("/grid", response_model=list[GridComplex])
def grid_index_data(db: DbSession) -> list[GridComplex]:
    """Complexes and their buildings."""
    return grid_index(db)


@router.get("/buildings/{building_id}/grid", response_model=BuildingGridRead)
def building_grid_data(db: DbSession, user: CurrentUser, building_id: Id) -> BuildingGridRead:
    """A building's floors, top first, with drawn cells and apartments; open defects per apartment id
    for those who may read work orders (null otherwise)."""
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
    ids = [a.id for f in views for a in f.apartments]
    defects = handovers.open_defects(db, user, ids) if can(user, P.WORK_ORDERS_READ) else None
    return BuildingGridRead(
        building_id=building.id,
        name=building.name,
        complex_name=building.complex.name,
        currency=building.complex.currency.value,
        floors=floors,
        version=complexes.version_of_building(db, building_id),
        open_defects=defects,
    )


@router.get("/apartment-cards/{apartment_id}", response_model=ApartmentCard)
def apartment_card_data(db: DbSession, apartment_id: Id) -> ApartmentCard:
    """One apartment with its complex, building and currency."""
    return apartment_card(db, apartment_id)

"""The floor-grid editor's JSON: a floor's layout, its versions, restoring and copying to other floors."""

from __future__ import annotations

from fastapi import APIRouter

from app.auth.deps import CurrentUser, DbSession
from app.core.types import Id, Int
from app.domain.inventory.crud import buildings
from app.domain.inventory.grids import floor_grids
from app.domain.inventory.schemas import GridCopy, GridLayout, GridRead, GridVersionRead
from app.features.floor_editor.views import grid_read

router = APIRouter()


@router.get("/buildings/{building_id}/floors/{floor}/grid", response_model=GridRead)
def get_grid(db: DbSession, building_id: Id, floor: Int) -> GridRead:
    """The newest layout of a floor (an empty 12 x 4 grid when none is saved)."""
    floor_grids.check_floor(buildings.get(db, building_id), floor)
    return grid_read(floor_grids.current(db, building_id, floor), building_id, floor)


@router.put("/buildings/{building_id}/floors/{floor}/grid", response_model=GridRead)
def put_grid(db: DbSession, user: CurrentUser, building_id: Id, floor: Int, body: GridLayout) -> GridRead:
    """Save a floor's layout as a new version; 422 lists every problem by cell."""
    return grid_read(floor_grids.save(db, user, building_id, floor, body), building_id, floor)


@router.get("/buildings/{building_id}/floors/{floor}/grid/versions", response_model=list[GridVersionRead])
def grid_versions(db: DbSession, building_id: Id, floor: Int) -> list[GridVersionRead]:
    """The floor's saved layout versions, newest first."""
    floor_grids.check_floor(buildings.get(db, building_id), floor)
    return [
        GridVersionRead(
            version=g.version,
            created_at=g.created_at,
            cells=len(g.cells),
            created_by=g.created_by.username if g.created_by else None,
        )
        for g in floor_grids.history(db, building_id, floor)
    ]


@router.get("/buildings/{building_id}/floors/{floor}/grid/versions/{version}", response_model=GridRead)
def grid_version(db: DbSession, building_id: Id, floor: Int, version: Int) -> GridRead:
    """One earlier version of a floor's layout."""
    return grid_read(floor_grids.version(db, building_id, floor, version), building_id, floor)


@router.post("/buildings/{building_id}/floors/{floor}/grid/versions/{version}/restore", response_model=GridRead)
def restore_grid(db: DbSession, user: CurrentUser, building_id: Id, floor: Int, version: Int) -> GridRead:
    """Make an earlier version the newest one again."""
    return grid_read(floor_grids.restore(db, user, building_id, floor, version), building_id, floor)


@router.post("/buildings/{building_id}/floors/{floor}/grid/copy", response_model=list[GridRead])
def copy_grid(db: DbSession, user: CurrentUser, building_id: Id, floor: Int, body: GridCopy) -> list[GridRead]:
    """Copy the floor's layout to a range of floors, binding apartments by position."""
    return [grid_read(g, building_id, g.floor) for g in floor_grids.copy(db, user, building_id, floor, body)]

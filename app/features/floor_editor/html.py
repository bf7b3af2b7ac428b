"""The floor-grid canvas editor page (admin); the canvas saves through the JSON twin
GET/PUT /api/admin/buildings/{id}/floors/{floor}/grid."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.deps import DbSession
from app.core.errors import NotFound
from app.core.types import Id, Int
from app.domain.inventory.crud import apartments, buildings
from app.domain.inventory.grids import floor_grids
from app.domain.inventory.schemas import ApartmentRead
from app.features.floor_editor.views import grid_read
from app.web.templating import render

router = APIRouter()


@router.get("/buildings/{building_id}/floors/{floor}/grid")
def floor_grid_editor(request: Request, db: DbSession, building_id: Id, floor: Int) -> Response:
    """The canvas editor of one floor: cells, apartment binding, copy, undo, versions."""
    building = buildings.get(db, building_id)
    if not 1 <= floor <= building.floors:
        raise NotFound("This floor does not exist in the building.")
    on_floor = [a for a in apartments.for_building(db, building_id) if a.floor == floor]
    grid = grid_read(floor_grids.current(db, building_id, floor), building_id, floor)
    context = {
        "building": building,
        "floor": floor,
        "floors": list(range(building.floors, 0, -1)),
        "apartments_json": [ApartmentRead.model_validate(a).model_dump(mode="json") for a in on_floor],
        "grid_json": grid.model_dump(mode="json"),
        "versions": floor_grids.history(db, building_id, floor),
        "api_base": f"/api/admin/buildings/{building_id}",
    }
    return render(request, "features/floor_editor/floor_grid.html", context)

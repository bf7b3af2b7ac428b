"""A floor's layout as the editor and its JSON read it."""

from __future__ import annotations

from app.domain.inventory.models import FloorGrid
from app.domain.inventory.schemas import GridRead


def grid_read(grid: FloorGrid | None, building_id: int, floor: int) -> GridRead:
    """A saved layout, or an empty one when the floor has none yet."""
    if grid is None:
        return GridRead(
            building_id=building_id, floor=floor, version=0, cols=12, rows=4, cells=[], created_at=None, created_by=None
        )
    return GridRead(
        building_id=building_id,
        floor=floor,
        version=grid.version,
        cols=grid.cols,
        rows=grid.rows,
        cells=grid.cells,
        created_at=grid.created_at,
        created_by=grid.created_by.username if grid.created_by else None,
    )

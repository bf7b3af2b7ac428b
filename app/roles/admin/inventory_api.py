"""JSON twin of the admin inventory pages: complexes, buildings, apartments, floor grids."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import Response

from app.auth.deps import CurrentUser, DbSession, get_settings
from app.core.paging import Page
from app.domain.inventory.crud import apartments, buildings, complexes
from app.domain.inventory.grids import floor_grids
from app.domain.inventory.schemas import (
    ApartmentCreate,
    ApartmentFilter,
    ApartmentRead,
    ApartmentUpdate,
    BuildingCreate,
    BuildingRead,
    BuildingUpdate,
    BulkApartments,
    ComplexCreate,
    ComplexFilter,
    ComplexRead,
    ComplexUpdate,
    GenerateApartments,
    GridCopy,
    GridLayout,
    GridRead,
    GridVersionRead,
    ImageRead,
)
from app.roles.admin.exports import apartments_export
from app.web.uploads import save_image

router = APIRouter()
ExportFormat = Literal["csv", "xlsx"]


def grid_read(grid, building_id: int, floor: int) -> GridRead:
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


@router.get("/complexes", response_model=Page[ComplexRead])
def list_complexes(db: DbSession, f: Annotated[ComplexFilter, Query()]):
    """Complexes, one page."""
    return complexes.page(db, f)


@router.post("/complexes", response_model=ComplexRead, status_code=201)
def create_complex(db: DbSession, user: CurrentUser, body: ComplexCreate):
    """Create a complex (409 when the slug is taken)."""
    return complexes.create(db, user, body)


@router.get("/complexes/{complex_id}", response_model=ComplexRead)
def get_complex(db: DbSession, complex_id: int):
    """One complex."""
    return complexes.get(db, complex_id)


@router.put("/complexes/{complex_id}", response_model=ComplexRead)
def update_complex(db: DbSession, user: CurrentUser, complex_id: int, body: ComplexUpdate):
    """Change a complex."""
    return complexes.update(db, user, complex_id, body)


@router.post("/complexes/{complex_id}/images", response_model=ImageRead, status_code=201)
def upload_complex_image(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    complex_id: int,
    image: Annotated[UploadFile | None, File()] = None,
):
    """Upload a JPEG/PNG/WebP picture of a complex (422 for another type or too large)."""
    complexes.get(db, complex_id)
    settings = get_settings(request)
    path = save_image(image, settings.media_dir, "complexes", settings.max_upload_bytes)
    return complexes.add_image(db, user, complex_id, path)


@router.delete("/complexes/{complex_id}/images/{image_id}", status_code=204)
def delete_complex_image(db: DbSession, user: CurrentUser, complex_id: int, image_id: int):
    """Remove a picture of a complex."""
    complexes.delete_image(db, user, complex_id, image_id)
    return Response(status_code=204)


@router.get("/complexes/{complex_id}/buildings", response_model=list[BuildingRead])
def list_buildings(db: DbSession, complex_id: int):
    """The buildings of a complex."""
    return complexes.get(db, complex_id).buildings


@router.post("/complexes/{complex_id}/buildings", response_model=BuildingRead, status_code=201)
def create_building(db: DbSession, user: CurrentUser, complex_id: int, body: BuildingCreate):
    """Add a building to a complex."""
    return buildings.create(db, user, complex_id, body)


@router.get("/buildings/{building_id}", response_model=BuildingRead)
def get_building(db: DbSession, building_id: int):
    """One building."""
    return buildings.get(db, building_id)


@router.put("/buildings/{building_id}", response_model=BuildingRead)
def update_building(db: DbSession, user: CurrentUser, building_id: int, body: BuildingUpdate):
    """Change a building."""
    return buildings.update(db, user, building_id, body)


@router.post("/buildings/{building_id}/generate")
def generate_apartments(db: DbSession, user: CurrentUser, building_id: int, body: GenerateApartments):
    """Create the building's missing apartments: {"created", "skipped"}."""
    return buildings.generate(db, user, building_id, body)


@router.post("/buildings/{building_id}/apartments", response_model=ApartmentRead, status_code=201)
def create_apartment(db: DbSession, user: CurrentUser, building_id: int, body: ApartmentCreate):
    """Add one apartment to a building (the floor-grid editor creates apartments this way)."""
    return apartments.create(db, user, building_id, body)


@router.get("/apartments", response_model=Page[ApartmentRead])
def list_apartments(db: DbSession, f: Annotated[ApartmentFilter, Query()]):
    """Apartments matching the filters, one page."""
    return apartments.page(db, f)


@router.get("/apartments/export")
def export_apartments(db: DbSession, f: Annotated[ApartmentFilter, Query()], format: ExportFormat = "csv"):
    """The filtered apartments as CSV or XLSX."""
    return apartments_export(db, f, format)


@router.post("/apartments/bulk")
def bulk_apartments(db: DbSession, user: CurrentUser, body: BulkApartments):
    """Set price per m², or mark (not) for sale, for many apartments: {"changed", "skipped"}."""
    return apartments.bulk(db, user, body)


@router.get("/apartments/{apartment_id}", response_model=ApartmentRead)
def get_apartment(db: DbSession, apartment_id: int):
    """One apartment."""
    return apartments.get(db, apartment_id)


@router.put("/apartments/{apartment_id}", response_model=ApartmentRead)
def update_apartment(db: DbSession, user: CurrentUser, apartment_id: int, body: ApartmentUpdate):
    """Change an apartment."""
    return apartments.update(db, user, apartment_id, body)


@router.post("/apartments/{apartment_id}/layout", response_model=ApartmentRead)
def upload_layout(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    apartment_id: int,
    image: Annotated[UploadFile | None, File()] = None,
):
    """Upload the apartment's layout picture."""
    apartments.get(db, apartment_id)
    settings = get_settings(request)
    path = save_image(image, settings.media_dir, "layouts", settings.max_upload_bytes)
    return apartments.set_layout_image(db, user, apartment_id, path)


@router.get("/buildings/{building_id}/floors/{floor}/grid", response_model=GridRead)
def get_grid(db: DbSession, building_id: int, floor: int):
    """The newest layout of a floor (an empty 12 x 4 grid when none is saved)."""
    floor_grids.check_floor(buildings.get(db, building_id), floor)
    return grid_read(floor_grids.current(db, building_id, floor), building_id, floor)


@router.put("/buildings/{building_id}/floors/{floor}/grid", response_model=GridRead)
def put_grid(db: DbSession, user: CurrentUser, building_id: int, floor: int, body: GridLayout):
    """Save a floor's layout as a new version; 422 lists every problem by cell."""
    return grid_read(floor_grids.save(db, user, building_id, floor, body), building_id, floor)


@router.get("/buildings/{building_id}/floors/{floor}/grid/versions", response_model=list[GridVersionRead])
def grid_versions(db: DbSession, building_id: int, floor: int):
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
def grid_version(db: DbSession, building_id: int, floor: int, version: int):
    """One earlier version of a floor's layout."""
    return grid_read(floor_grids.version(db, building_id, floor, version), building_id, floor)


@router.post("/buildings/{building_id}/floors/{floor}/grid/versions/{version}/restore", response_model=GridRead)
def restore_grid(db: DbSession, user: CurrentUser, building_id: int, floor: int, version: int):
    """Make an earlier version the newest one again."""
    return grid_read(floor_grids.restore(db, user, building_id, floor, version), building_id, floor)


@router.post("/buildings/{building_id}/floors/{floor}/grid/copy", response_model=list[GridRead])
def copy_grid(db: DbSession, user: CurrentUser, building_id: int, floor: int, body: GridCopy):
    """Copy the floor's layout to a range of floors, binding apartments by position."""
    return [grid_read(g, building_id, g.floor) for g in floor_grids.copy(db, user, building_id, floor, body)]

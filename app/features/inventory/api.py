"""The JSON twin of the inventory pages: complexes, buildings, apartments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import Response

from app.auth.deps import CurrentUser, DbSession, get_settings
from app.core.paging import Page
from app.core.types import Id
from app.domain.inventory.crud import apartments, buildings, complexes
from app.domain.inventory.models import Apartment, Building, Complex, ComplexImage
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
    ImageRead,
)
from app.features.inventory.exports import apartments_export
from app.web.export import ExportFormat
from app.web.openapi import EXPORT_RESPONSES
from app.web.uploads import save_image

router = APIRouter()


@router.get("/complexes", response_model=Page[ComplexRead])
def list_complexes(db: DbSession, f: Annotated[ComplexFilter, Query()]) -> Page[Complex]:
    """Complexes, one page."""
    return complexes.page(db, f)


@router.post("/complexes", response_model=ComplexRead, status_code=201)
def create_complex(db: DbSession, user: CurrentUser, body: ComplexCreate) -> Complex:
    """Create a complex (409 when the slug is taken)."""
    return complexes.create(db, user, body)


@router.get("/complexes/{complex_id}", response_model=ComplexRead)
def get_complex(db: DbSession, complex_id: Id) -> Complex:
    """One complex."""
    return complexes.get(db, complex_id)


@router.put("/complexes/{complex_id}", response_model=ComplexRead)
def update_complex(db: DbSession, user: CurrentUser, complex_id: Id, body: ComplexUpdate) -> Complex:
    """Change a complex."""
    return complexes.update(db, user, complex_id, body)


@router.post("/complexes/{complex_id}/images", response_model=ImageRead, status_code=201)
def upload_complex_image(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    complex_id: Id,
    image: Annotated[UploadFile | None, File()] = None,
) -> ComplexImage:
    """Upload a JPEG/PNG/WebP picture of a complex (422 for another type or too large)."""
    complexes.get(db, complex_id)
    settings = get_settings(request)
    path = save_image(image, settings.media_dir, "complexes", settings.max_upload_bytes)
    return complexes.add_image(db, user, complex_id, path)


@router.delete("/complexes/{complex_id}/images/{image_id}", status_code=204)
def delete_complex_image(db: DbSession, user: CurrentUser, complex_id: Id, image_id: Id) -> Response:
    """Remove a picture of a complex."""
    complexes.delete_image(db, user, complex_id, image_id)
    return Response(status_code=204)


@router.get("/complexes/{complex_id}/buildings", response_model=list[BuildingRead])
def list_buildings(db: DbSession, complex_id: Id) -> list[Building]:
    """The buildings of a complex."""
    return complexes.get(db, complex_id).buildings


@router.post("/complexes/{complex_id}/buildings", response_model=BuildingRead, status_code=201)
def create_building(db: DbSession, user: CurrentUser, complex_id: Id, body: BuildingCreate) -> Building:
    """Add a building to a complex."""
    return buildings.create(db, user, complex_id, body)


@router.get("/buildings/{building_id}", response_model=BuildingRead)
def get_building(db: DbSession, building_id: Id) -> Building:
    """One building."""
    return buildings.get(db, building_id)


@router.put("/buildings/{building_id}", response_model=BuildingRead)
def update_building(db: DbSession, user: CurrentUser, building_id: Id, body: BuildingUpdate) -> Building:
    """Change a building."""
    return buildings.update(db, user, building_id, body)


@router.post("/buildings/{building_id}/generate")
def generate_apartments(db: DbSession, user: CurrentUser, building_id: Id, body: GenerateApartments) -> dict[str, int]:
    """Create the building's missing apartments: {"created", "skipped"}."""
    return buildings.generate(db, user, building_id, body)


@router.post("/buildings/{building_id}/apartments", response_model=ApartmentRead, status_code=201)
def create_apartment(db: DbSession, user: CurrentUser, building_id: Id, body: ApartmentCreate) -> Apartment:
    """Add one apartment to a building (the floor-grid editor creates apartments this way)."""
    return apartments.create(db, user, building_id, body)


@router.get("/apartments", response_model=Page[ApartmentRead])
def list_apartments(db: DbSession, f: Annotated[ApartmentFilter, Query()]) -> Page[Apartment]:
    """Apartments matching the filters, one page."""
    return apartments.page(db, f)


@router.get("/apartments/export", response_class=Response, responses=EXPORT_RESPONSES)
def export_apartments(db: DbSession, f: Annotated[ApartmentFilter, Query()], format: ExportFormat = "csv") -> Response:
    """The filtered apartments as CSV or XLSX."""
    return apartments_export(db, f, format)


@router.post("/apartments/bulk")
def bulk_apartments(db: DbSession, user: CurrentUser, body: BulkApartments) -> dict[str, int]:
    """Set price per m², or mark (not) for sale, for many apartments: {"changed", "skipped"}."""
    return apartments.bulk(db, user, body)


@router.get("/apartments/{apartment_id}", response_model=ApartmentRead)
def get_apartment(db: DbSession, apartment_id: Id) -> Apartment:
    """One apartment."""
    return apartments.get(db, apartment_id)


@router.put("/apartments/{apartment_id}", response_model=ApartmentRead)
def update_apartment(db: DbSession, user: CurrentUser, apartment_id: Id, body: ApartmentUpdate) -> Apartment:
    """Change an apartment."""
    return apartments.update(db, user, apartment_id, body)


@router.post("/apartments/{apartment_id}/layout", response_model=ApartmentRead)
def upload_layout(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    apartment_id: Id,
    image: Annotated[UploadFile | None, File()] = None,
) -> Apartment:
    """Upload the apartment's layout picture."""
    apartments.get(db, apartment_id)
    settings = get_settings(request)
    path = save_image(image, settings.media_dir, "layouts", settings.max_upload_bytes)
    return apartments.set_layout_image(db, user, apartment_id, path)

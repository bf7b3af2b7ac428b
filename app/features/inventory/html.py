"""Admin pages of the inventory: complexes (with pictures and buildings), buildings
(edit, generate apartments, floors), apartments (filters, bulk actions, edit, layout)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app.auth.deps import CurrentUser, DbSession, get_settings
from app.core.errors import AppError
from app.core.types import Id
from app.domain.inventory.crud import apartments, buildings, complexes
from app.domain.inventory.models import Apartment, ApartmentStatus, Building, Complex
from app.domain.inventory.schemas import (
    ApartmentFilter,
    ApartmentUpdate,
    BuildingCreate,
    BuildingUpdate,
    BulkApartments,
    ComplexCreate,
    ComplexFilter,
    ComplexUpdate,
    GenerateApartments,
)
from app.features.inventory.exports import apartments_export
from app.web.export import ExportFormat
from app.web.forms import PostedForm, submit_values
from app.web.i18n import gettext
from app.web.redirects import safe_path
from app.web.templating import render, see_other
from app.web.uploads import save_image

router = APIRouter()
BASE = "/dashboard/admin"


def _store_upload(request: Request, image: UploadFile | None, folder: str) -> tuple[str | None, str | None]:
    """(stored path, None), or (None, the translated reason) for a refused picture."""
    settings = get_settings(request)
    try:
        return save_image(image, settings.media_dir, folder, settings.max_upload_bytes), None
    except AppError as exc:
        return None, gettext(exc.message, **exc.params)


# --- complexes ---------------------------------------------------------------------------


def complex_values(target: Complex) -> dict:
    """The edit form's values of a complex."""
    return {name: getattr(target, name) for name in ("name", "slug", "city", "address", "description")} | {
        "currency": target.currency.value,
        "is_public": target.is_public,
    }


def _complex_page(
    request: Request,
    db: Session,
    target: Complex | None,
    values: dict,
    errors: dict,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    context = {"target": target, "values": values, "errors": errors, **extra}
    return render(request, "features/inventory/complex_form.html", context, status_code=status_code)


def _checkbox(values: dict, name: str) -> dict:
    """HTML checkboxes send nothing when unticked."""
    return {**values, name: values.get(name) in ("on", "true", "1")}


@router.get("/complexes")
def complexes_page(request: Request, db: DbSession, f: Annotated[ComplexFilter, Query()]) -> Response:
    """Complexes with search and the public filter; HTMX gets the rows."""
    return render(request, "features/inventory/complexes.html", {"page": complexes.page(db, f), "f": f}, block="rows")


@router.get("/complexes/new")
def new_complex_page(request: Request, db: DbSession) -> Response:
    """An empty form for a new complex."""
    return _complex_page(request, db, None, {"currency": "UZS", "is_public": False}, {})


@router.post("/complexes")
def create_complex(request: Request, form: PostedForm, db: DbSession, user: CurrentUser) -> Response:
    """Create a complex; the form again with errors next to the fields."""
    values = _checkbox(dict(form), "is_public")
    created, _, errors = submit_values(db, ComplexCreate, values, lambda d: complexes.create(db, user, d))
    if created:
        return see_other(f"{BASE}/complexes/{created.id}?saved=1")
    return _complex_page(request, db, None, values, errors, status_code=422)


@router.get("/complexes/{complex_id}")
def complex_page(request: Request, db: DbSession, complex_id: Id, saved: str = "") -> Response:
    """A complex: its details, pictures and buildings."""
    target = complexes.get(db, complex_id)
    return _complex_page(request, db, target, complex_values(target), {}, saved=saved)


@router.post("/complexes/{complex_id}")
def update_complex(request: Request, form: PostedForm, db: DbSession, user: CurrentUser, complex_id: Id) -> Response:
    """Save a complex's details."""
    target = complexes.get(db, complex_id)
    values = _checkbox(dict(form), "is_public")
    done, _, errors = submit_values(db, ComplexUpdate, values, lambda d: complexes.update(db, user, complex_id, d))
    if done:
        return see_other(f"{BASE}/complexes/{complex_id}?saved=1")
    return _complex_page(request, db, target, {**values, "slug": target.slug}, errors, status_code=422)


@router.post("/complexes/{complex_id}/images")
def upload_complex_image(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    complex_id: Id,
    image: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Upload a picture of the complex (JPEG, PNG or WebP up to MAX_UPLOAD_MB)."""
    target = complexes.get(db, complex_id)
    path, error = _store_upload(request, image, "complexes")
    if error:
        return _complex_page(request, db, target, complex_values(target), {}, status_code=422, image_error=error)
    complexes.add_image(db, user, complex_id, path)
    return see_other(f"{BASE}/complexes/{complex_id}?saved=image")


@router.post("/complexes/{complex_id}/images/{image_id}/delete")
def delete_complex_image(db: DbSession, user: CurrentUser, complex_id: Id, image_id: Id) -> Response:
    """Remove a picture of the complex."""
    complexes.delete_image(db, user, complex_id, image_id)
    return see_other(f"{BASE}/complexes/{complex_id}")


@router.post("/complexes/{complex_id}/buildings")
def create_building(request: Request, form: PostedForm, db: DbSession, user: CurrentUser, complex_id: Id) -> Response:
    """Add a building to the complex from the form on the complex page."""
    target = complexes.get(db, complex_id)
    created, values, errors = submit_values(
        db, BuildingCreate, dict(form), lambda d: buildings.create(db, user, complex_id, d)
    )
    if created:
        return see_other(f"{BASE}/buildings/{created.id}?saved=1")
    return _complex_page(
        request, db, target, complex_values(target), {}, status_code=422, building_values=values, building_errors=errors
    )


# --- buildings ---------------------------------------------------------------------------


def _building_page(
    request: Request, db: Session, building: Building, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    counts = {}
    for apartment in apartments.for_building(db, building.id):
        counts[apartment.floor] = counts.get(apartment.floor, 0) + 1
    context = {
        "building": building,
        "floor_counts": counts,
        "values": {"name": building.name, "floors": building.floors, "sections": building.sections},
        "errors": {},
        "gen_values": {
            "units_per_floor": 4,
            "first_floor": 1,
            "numbering": "floor",
            "rooms": 2,
            "area": "60",
            "price_per_m2": "",
        },
        "gen_errors": {},
        **extra,
    }
    return render(request, "features/inventory/building.html", context, status_code=status_code)


@router.get("/buildings/{building_id}")
def building_page(request: Request, db: DbSession, building_id: Id, saved: str = "") -> Response:
    """A building: details, apartment generation, and its floors with the layout editor."""
    return _building_page(request, db, buildings.get(db, building_id), saved=saved)


@router.post("/buildings/{building_id}")
def update_building(request: Request, form: PostedForm, db: DbSession, user: CurrentUser, building_id: Id) -> Response:
    """Save a building's name, floors and sections."""
    building = buildings.get(db, building_id)
    done, values, errors = submit_values(
        db, BuildingUpdate, dict(form), lambda d: buildings.update(db, user, building_id, d)
    )
    if done:
        return see_other(f"{BASE}/buildings/{building_id}?saved=1")
    return _building_page(request, db, building, status_code=422, values=values, errors=errors)


@router.post("/buildings/{building_id}/generate")
def generate_apartments(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, building_id: Id
) -> Response:
    """Create the building's missing apartments from floors x units per floor."""
    building = buildings.get(db, building_id)
    result, values, errors = submit_values(
        db, GenerateApartments, dict(form), lambda d: buildings.generate(db, user, building_id, d)
    )
    if result:
        return see_other(f"{BASE}/buildings/{building_id}?saved=generated-{result['created']}-{result['skipped']}")
    return _building_page(request, db, building, status_code=422, gen_values=values, gen_errors=errors)


# --- apartments --------------------------------------------------------------------------


@router.get("/apartments")
def apartments_page(
    request: Request, db: DbSession, f: Annotated[ApartmentFilter, Query()], done: str = ""
) -> Response:
    """Apartments with filters and bulk actions; HTMX gets the rows."""
    context = {
        "page": apartments.page(db, f),
        "f": f,
        "complexes": complexes.all(db),
        "done": done,
        "statuses": list(ApartmentStatus),
    }
    return render(request, "features/inventory/apartments.html", context, block="rows")


@router.get("/apartments/export")
def apartments_export_file(
    db: DbSession, f: Annotated[ApartmentFilter, Query()], format: ExportFormat = "csv"
) -> Response:
    """The filtered apartments as CSV or XLSX."""
    return apartments_export(db, f, format)


@router.post("/apartments/bulk")
def bulk_apartments(request: Request, form: PostedForm, db: DbSession, user: CurrentUser) -> Response:
    """Apply a bulk action to the ticked apartments, then show the list again."""
    values = {
        "ids": form.getlist("ids"),
        "action": form.get("action", ""),
        "price_per_m2": form.get("price_per_m2") or None,
    }
    result, _, errors = submit_values(db, BulkApartments, values, lambda d: apartments.bulk(db, user, d))
    listing, back = f"{BASE}/apartments", str(form.get("back", ""))  # the list's query string ("?...")
    back = urlsplit(safe_path(listing + back if back.startswith("?") else "", within=listing, fallback=listing)).query
    back = f"?{back}" if back else ""
    if result:
        separator = "&" if back else "?"
        return see_other(f"{BASE}/apartments{back}{separator}done={result['changed']}-{result['skipped']}")
    message = "; ".join(errors.values())
    return see_other(f"{BASE}/apartments{back}{'&' if back else '?'}done=error-{message}")


def _apartment_page(
    request: Request, target: Apartment, values: dict, errors: dict, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    context = {"target": target, "values": values, "errors": errors, "statuses": list(ApartmentStatus), **extra}
    return render(request, "features/inventory/apartment_form.html", context, status_code=status_code)


def apartment_values(target: Apartment) -> dict:
    """The edit form's values of an apartment."""
    return {name: getattr(target, name) for name in ("number", "floor", "section", "rooms", "area", "price_per_m2")} | {
        "status": target.status.value
    }


@router.get("/apartments/{apartment_id}")
def apartment_page(request: Request, db: DbSession, apartment_id: Id, saved: str = "") -> Response:
    """Edit one apartment and its layout picture."""
    target = apartments.get(db, apartment_id)
    return _apartment_page(request, target, apartment_values(target), {}, saved=saved)


@router.post("/apartments/{apartment_id}")
def update_apartment(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, apartment_id: Id
) -> Response:
    """Save an apartment."""
    target = apartments.get(db, apartment_id)
    done, values, errors = submit_values(
        db, ApartmentUpdate, dict(form), lambda d: apartments.update(db, user, apartment_id, d)
    )
    if done:
        return see_other(f"{BASE}/apartments/{apartment_id}?saved=1")
    return _apartment_page(request, target, values, errors, status_code=422)


@router.post("/apartments/{apartment_id}/layout")
def upload_layout(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    apartment_id: Id,
    image: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Upload the apartment's layout picture."""
    target = apartments.get(db, apartment_id)
    path, error = _store_upload(request, image, "layouts")
    if error:
        return _apartment_page(request, target, apartment_values(target), {}, status_code=422, image_error=error)
    apartments.set_layout_image(db, user, apartment_id, path)
    return see_other(f"{BASE}/apartments/{apartment_id}?saved=image")

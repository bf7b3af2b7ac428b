"""The apartments list as a CSV or XLSX file."""

from __future__ import annotations

from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.core.paging import iterate_all
from app.domain.inventory.crud import apartments
from app.domain.inventory.schemas import ApartmentFilter
from app.web.export import export_response


def apartments_export(db: Session, f: ApartmentFilter, fmt: str) -> Response:
    """The filtered apartments as a file."""
    rows = (
        (
            a.id,
            a.building.complex.name,
            a.building.name,
            a.section,
            a.floor,
            a.number,
            a.rooms,
            a.area,
            a.price_per_m2,
            a.total_price,
            a.building.complex.currency.value,
            a.status.value,
        )
        for a in iterate_all(db, apartments.query(f))
    )
    headers = [
        "id",
        "complex",
        "building",
        "section",
        "floor",
        "number",
        "rooms",
        "area",
        "price_per_m2",
        "total_price",
        "currency",
        "status",
    ]
    return export_response(fmt, "apartments", headers, rows)

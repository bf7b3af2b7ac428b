"""The contracts list as a CSV or XLSX file (row-scoped like the list)."""

from __future__ import annotations

from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core.paging import iterate_all
from app.domain.contracts.crud import contracts
from app.domain.contracts.schemas import ContractFilter
from app.web.export import export_response

CONTRACT_HEADERS = [
    "number",
    "status",
    "signed_at",
    "buyer",
    "phone",
    "complex",
    "building",
    "apartment",
    "currency",
    "price",
    "discount",
    "total",
    "down_payment",
    "months",
    "start_date",
    "salesperson",
]


def contracts_export(db: Session, actor: User, f: ContractFilter, fmt: str) -> Response:
    """The contracts the actor may see, filtered, as a file."""
    rows = (
        (
            c.number,
            c.status.value,
            c.signed_at,
            c.buyer_full_name,
            c.buyer_phone,
            c.apartment.building.complex.name,
            c.apartment.building.name,
            c.apartment.number,
            c.currency.value,
            c.price,
            c.discount,
            c.total,
            c.down_payment,
            c.months,
            c.start_date,
            c.salesperson.username if c.salesperson else "",
        )
        for c in iterate_all(db, contracts.query(actor, f))
    )
    return export_response(fmt, "contracts", CONTRACT_HEADERS, rows)

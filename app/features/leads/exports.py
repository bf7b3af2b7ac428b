"""The leads list as a CSV or XLSX file (row-scoped like the list)."""

from __future__ import annotations

from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core.paging import iterate_all
from app.domain.leads.crud import leads
from app.domain.leads.schemas import LeadFilter
from app.web.export import export_response

EXPORT_HEADERS = [
    "id",
    "name",
    "phone",
    "source",
    "status",
    "complex",
    "assigned",
    "touches",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "created_at",
]


def leads_export(db: Session, user: User, f: LeadFilter, fmt: str) -> Response:
    """The leads `user` may see that match `f`, as a download."""
    rows = (
        (
            lead.id,
            lead.name,
            lead.phone,
            lead.source.value,
            lead.status.value,
            lead.complex.name if lead.complex else "",
            lead.assigned.username if lead.assigned else "",
            lead.touches_count,
            lead.utm_source,
            lead.utm_medium,
            lead.utm_campaign,
            lead.created_at,
        )
        for lead in iterate_all(db, leads.query(user, f, db.get_bind().dialect.name))
    )
    return export_response(fmt, "leads", EXPORT_HEADERS, rows)

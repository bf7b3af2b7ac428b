"""The audit log (admin): every change, filtered by entity, action, actor and dates; export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.auth.deps import DbSession
from app.domain.audit.crud import audit
from app.domain.audit.schemas import AuditFilter
from app.features.audit.exports import audit_export
from app.web.export import ExportFormat
from app.web.templating import is_htmx, render

router = APIRouter()


@router.get("/audit")
def audit_page(request: Request, db: DbSession, f: Annotated[AuditFilter, Query()]) -> Response:
    """The audit log with filters by entity, action, actor and dates; HTMX gets the rows."""
    context = {"page": audit.page(db, f), "f": f}
    if not is_htmx(request):  # the filter bar is only drawn on the full page
        context["entities"] = audit.entities(db)
    return render(request, "features/audit/audit.html", context, block="rows")


@router.get("/audit/export")
def audit_export_file(db: DbSession, f: Annotated[AuditFilter, Query()], format: ExportFormat = "csv") -> Response:
    """The filtered audit log as CSV or XLSX."""
    return audit_export(db, f, format)

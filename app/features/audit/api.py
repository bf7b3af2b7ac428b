"""The JSON twin of the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.auth.deps import DbSession
from app.core.paging import Page
from app.domain.audit.crud import audit
from app.domain.audit.models import AuditEntry
from app.domain.audit.schemas import AuditFilter, AuditRead
from app.features.audit.exports import audit_export
from app.web.export import ExportFormat
from app.web.openapi import EXPORT_RESPONSES

router = APIRouter()


@router.get("/audit", response_model=Page[AuditRead])
def list_audit(db: DbSession, f: Annotated[AuditFilter, Query()]) -> Page[AuditEntry]:
    """Audit entries matching the filter, newest first."""
    return audit.page(db, f)


@router.get("/audit/export", response_class=Response, responses=EXPORT_RESPONSES)
def export_audit(db: DbSession, f: Annotated[AuditFilter, Query()], format: ExportFormat = "csv") -> Response:
    """The filtered audit log as CSV or XLSX."""
    return audit_export(db, f, format)

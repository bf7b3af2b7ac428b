"""The audit log as a CSV or XLSX file."""

from __future__ import annotations

from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.core.paging import iterate_all
from app.domain.audit.crud import audit
from app.domain.audit.schemas import AuditFilter
from app.web.export import export_response


def audit_export(db: Session, f: AuditFilter, fmt: str) -> Response:
    """The filtered audit log as a file."""
    rows = (
        (
            e.id,
            e.at,
            e.actor.username if e.actor else "",
            e.entity,
            e.entity_id,
            e.action,
            str(e.before or ""),
            str(e.after or ""),
        )
        for e in iterate_all(db, audit.query(f))
    )
    headers = ["id", "at", "actor", "entity", "entity_id", "action", "before", "after"]
    return export_response(fmt, "audit", headers, rows)

"""CSV/XLSX exports of the admin lists, shared by the HTML and JSON routers."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.auth.crud import users
from app.auth.schemas import UserFilter
from app.core.paging import iterate_all
from app.domain.audit.crud import audit
from app.domain.audit.schemas import AuditFilter
from app.domain.inventory.crud import apartments
from app.domain.inventory.schemas import ApartmentFilter
from app.web.export import export_response


def users_export(db: Session, f: UserFilter, fmt: str):
    """The filtered users list as a file."""
    rows = (
        (u.id, u.username, u.full_name, u.phone, u.role.value, u.is_active, u.language, u.created_at)
        for u in iterate_all(db, users.query(f))
    )
    headers = ["id", "username", "full_name", "phone", "role", "active", "language", "created_at"]
    return export_response(fmt, "users", headers, rows)


def apartments_export(db: Session, f: ApartmentFilter, fmt: str):
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


def audit_export(db: Session, f: AuditFilter, fmt: str):
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

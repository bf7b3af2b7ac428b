"""The users list as a CSV or XLSX file."""

from __future__ import annotations

from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.auth.crud import users
from app.auth.schemas import UserFilter
from app.core.paging import iterate_all
from app.web.export import export_response


def users_export(db: Session, f: UserFilter, fmt: str) -> Response:
    """The filtered users list as a file."""
    rows = (
        (u.id, u.username, u.full_name, u.phone, u.role.value, u.is_active, u.language, u.created_at)
        for u in iterate_all(db, users.query(f))
    )
    headers = ["id", "username", "full_name", "phone", "role", "active", "language", "created_at"]
    return export_response(fmt, "users", headers, rows)

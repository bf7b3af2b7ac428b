"""JSON twin of the admin dashboard under /api/admin: users and the audit log."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query
from pydantic import BaseModel

from app.auth.crud import users
from app.auth.deps import CurrentUser, DbSession
from app.auth.permissions import Role
from app.auth.schemas import PasswordReset, UserCreate, UserFilter, UserRead, UserUpdate
from app.core.paging import Page
from app.domain.audit.crud import audit
from app.domain.audit.schemas import AuditFilter, AuditRead
from app.roles.admin import inventory_api
from app.roles.admin.exports import audit_export, users_export
from app.roles.base import api_router

router = api_router(Role.ADMIN)
router.include_router(inventory_api.router)
ExportFormat = Literal["csv", "xlsx"]


class ActiveChange(BaseModel):
    """Deactivate or reactivate a user."""

    active: bool


@router.get("/users", response_model=Page[UserRead])
def list_users(db: DbSession, f: Annotated[UserFilter, Query()]):
    """Users matching the filter, one page."""
    return users.page(db, f)


@router.get("/users/export")
def export_users(db: DbSession, f: Annotated[UserFilter, Query()], format: ExportFormat = "csv"):
    """The filtered users as CSV or XLSX."""
    return users_export(db, f, format)


@router.post("/users", response_model=UserRead, status_code=201)
def create_user(db: DbSession, user: CurrentUser, body: UserCreate):
    """Create a user (409 when the username is taken)."""
    return users.create(db, user, body)


@router.get("/users/{user_id}", response_model=UserRead)
def get_user(db: DbSession, user_id: int):
    """One user."""
    return users.get(db, user_id)


@router.put("/users/{user_id}", response_model=UserRead)
def update_user(db: DbSession, user: CurrentUser, user_id: int, body: UserUpdate):
    """Change a user's details and role."""
    return users.update(db, user, user_id, body)


@router.post("/users/{user_id}/active", response_model=UserRead)
def set_user_active(db: DbSession, user: CurrentUser, user_id: int, body: ActiveChange):
    """Deactivate (ending their sessions) or reactivate a user."""
    return users.set_active(db, user, user_id, body.active)


@router.post("/users/{user_id}/password", response_model=UserRead)
def reset_user_password(db: DbSession, user: CurrentUser, user_id: int, body: PasswordReset):
    """Set a new password for a user (their sessions end)."""
    return users.reset_password(db, user, user_id, body.password)


@router.get("/audit", response_model=Page[AuditRead])
def list_audit(db: DbSession, f: Annotated[AuditFilter, Query()]):
    """Audit entries matching the filter, newest first."""
    return audit.page(db, f)


@router.get("/audit/export")
def export_audit(db: DbSession, f: Annotated[AuditFilter, Query()], format: ExportFormat = "csv"):
    """The filtered audit log as CSV or XLSX."""
    return audit_export(db, f, format)

"""The JSON twin of the users pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from app.auth.crud import users
from app.auth.deps import CurrentUser, DbSession, require
from app.auth.models import User
from app.auth.permissions import P
from app.auth.schemas import PasswordReset, UserCreate, UserFilter, UserRead, UserUpdate
from app.core.paging import Page
from app.core.types import Id, Input
from app.features.users.exports import users_export
from app.web.export import ExportFormat
from app.web.openapi import EXPORT_RESPONSES

router = APIRouter()
WRITE = [Depends(require(P.USERS_WRITE))]


class ActiveChange(Input):
    """Deactivate or reactivate a user."""

    active: bool


@router.get("/users", response_model=Page[UserRead])
def list_users(db: DbSession, f: Annotated[UserFilter, Query()]) -> Page[User]:
    """Users matching the filter, one page."""
    return users.page(db, f)


@router.get("/users/export", response_class=Response, responses=EXPORT_RESPONSES)
def export_users(db: DbSession, f: Annotated[UserFilter, Query()], format: ExportFormat = "csv") -> Response:
    """The filtered users as CSV or XLSX."""
    return users_export(db, f, format)


@router.post("/users", response_model=UserRead, status_code=201, dependencies=WRITE)
def create_user(db: DbSession, user: CurrentUser, body: UserCreate) -> User:
    """Create a user (409 when the username is taken)."""
    return users.create(db, user, body)


@router.get("/users/{user_id}", response_model=UserRead)
def get_user(db: DbSession, user_id: Id) -> User:
    """One user."""
    return users.get(db, user_id)


@router.put("/users/{user_id}", response_model=UserRead, dependencies=WRITE)
def update_user(db: DbSession, user: CurrentUser, user_id: Id, body: UserUpdate) -> User:
    """Change a user's details and role."""
    return users.update(db, user, user_id, body)


@router.post("/users/{user_id}/active", response_model=UserRead, dependencies=WRITE)
def set_user_active(db: DbSession, user: CurrentUser, user_id: Id, body: ActiveChange) -> User:
    """Deactivate (ending their sessions) or reactivate a user."""
    return users.set_active(db, user, user_id, body.active)


@router.post("/users/{user_id}/password", response_model=UserRead, dependencies=WRITE)
def reset_user_password(db: DbSession, user: CurrentUser, user_id: Id, body: PasswordReset) -> User:
    """Set a new password for a user (their sessions end)."""
    return users.reset_password(db, user, user_id, body.password)

"""Users (admin): the list with search, filters and export; creating, editing, deactivating, password reset."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.auth.crud import users
from app.auth.deps import CurrentUser, DbSession, require
from app.auth.models import User
from app.auth.permissions import P, Role
from app.auth.schemas import PasswordReset, UserCreate, UserFilter, UserUpdate
from app.core.types import Id
from app.features.users.exports import users_export
from app.web.export import ExportFormat
from app.web.forms import PostedForm, submit_values
from app.web.templating import render

router = APIRouter()
WRITE = [Depends(require(P.USERS_WRITE))]
USERS_URL = "/dashboard/admin/users"


@router.get("/users")
def users_page(request: Request, db: DbSession, f: Annotated[UserFilter, Query()]) -> Response:
    """Users list with search, role/active filters, sorting and paging; HTMX gets the rows."""
    return render(request, "features/users/list.html", {"page": users.page(db, f), "f": f}, block="rows")


@router.get("/users/export")
def users_export_file(db: DbSession, f: Annotated[UserFilter, Query()], format: ExportFormat = "csv") -> Response:
    """The filtered users as CSV or XLSX."""
    return users_export(db, f, format)


def _user_values(target: User) -> dict:
    """The edit form's values for an existing user."""
    return {
        "full_name": target.full_name,
        "phone": target.phone,
        "role": target.role.value,
        "language": target.language,
    }


def _user_form(
    request: Request, target: User | None, values: dict, errors: dict, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    context = {"target": target, "values": values, "errors": errors, **extra}
    return render(request, "features/users/form.html", context, status_code=status_code)


@router.get("/users/new")
def new_user_page(request: Request) -> Response:
    """An empty form for a new user."""
    return _user_form(request, None, {"role": Role.SALES.value, "language": "ru"}, {})


@router.post("/users", dependencies=WRITE)
def create_user(request: Request, form: PostedForm, db: DbSession, user: CurrentUser) -> Response:
    """Create a user from the form; the form again with errors next to the fields."""
    created, values, errors = submit_values(db, UserCreate, dict(form), lambda d: users.create(db, user, d))
    if created:
        return RedirectResponse(f"{USERS_URL}/{created.id}?saved=1", status_code=303)
    return _user_form(request, None, values, errors, status_code=422)


@router.get("/users/{user_id}")
def edit_user_page(request: Request, db: DbSession, user_id: Id, saved: str = "") -> Response:
    """The edit form of one user, with activation and password reset."""
    target = users.get(db, user_id)
    return _user_form(request, target, _user_values(target), {}, saved=saved)


@router.post("/users/{user_id}", dependencies=WRITE)
def update_user(request: Request, form: PostedForm, db: DbSession, user: CurrentUser, user_id: Id) -> Response:
    """Save a user's details and role."""
    target = users.get(db, user_id)
    saved, values, errors = submit_values(db, UserUpdate, dict(form), lambda d: users.update(db, user, user_id, d))
    if saved:
        return RedirectResponse(f"{USERS_URL}/{user_id}?saved=1", status_code=303)
    return _user_form(request, target, values, errors, status_code=422)


@router.post("/users/{user_id}/active", dependencies=WRITE)
def set_user_active(request: Request, form: PostedForm, db: DbSession, user: CurrentUser, user_id: Id) -> Response:
    """Deactivate or reactivate a user from the list or the edit page."""
    target = users.set_active(db, user, user_id, form.get("active") == "true")
    if request.headers.get("hx-request") == "true":
        return render(request, "features/users/list.html", {"u": target}, block="user_row")
    return RedirectResponse(f"{USERS_URL}/{user_id}?saved=1", status_code=303)


@router.post("/users/{user_id}/password", dependencies=WRITE)
def reset_user_password(request: Request, form: PostedForm, db: DbSession, user: CurrentUser, user_id: Id) -> Response:
    """Set a new password for a user."""
    target = users.get(db, user_id)
    done, _, errors = submit_values(
        db, PasswordReset, dict(form), lambda d: users.reset_password(db, user, user_id, d.password)
    )
    if done:
        return RedirectResponse(f"{USERS_URL}/{user_id}?saved=password", status_code=303)
    return _user_form(request, target, _user_values(target), {}, status_code=422, password_errors=errors)

"""HTML pages of the admin dashboard under /dashboard/admin: users and the audit log."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query, Request
from fastapi.responses import RedirectResponse

from app.auth.crud import users
from app.auth.deps import CurrentUser, DbSession
from app.auth.models import User
from app.auth.permissions import Role
from app.auth.schemas import PasswordReset, UserCreate, UserFilter, UserUpdate
from app.domain.audit.crud import audit
from app.domain.audit.schemas import AuditFilter
from app.roles.admin import grid_editor, inventory_html
from app.roles.admin.exports import audit_export, users_export
from app.roles.base import html_router
from app.web.forms import PostedForm, submit_values
from app.web.templating import is_htmx, render

router = html_router(Role.ADMIN)
router.include_router(grid_editor.router)
router.include_router(inventory_html.router)
ExportFormat = Literal["csv", "xlsx"]
USERS_URL = "/dashboard/admin/users"


@router.get("/users")
def users_page(request: Request, db: DbSession, f: Annotated[UserFilter, Query()]):
    """Users list with search, role/active filters, sorting and paging; HTMX gets the rows."""
    return render(request, "features/users/list.html", {"page": users.page(db, f), "f": f}, block="rows")


@router.get("/users/export")
def users_export_file(db: DbSession, f: Annotated[UserFilter, Query()], format: ExportFormat = "csv"):
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


def _user_form(request: Request, target: User | None, values: dict, errors: dict, status_code: int = 200, **extra):
    context = {"target": target, "values": values, "errors": errors, **extra}
    return render(request, "features/users/form.html", context, status_code=status_code)


@router.get("/users/new")
def new_user_page(request: Request):
    """An empty form for a new user."""
    return _user_form(request, None, {"role": Role.SALES.value, "language": "ru"}, {})


@router.post("/users")
def create_user(request: Request, form: PostedForm, db: DbSession, user: CurrentUser):
    """Create a user from the form; the form again with errors next to the fields."""
    created, values, errors = submit_values(db, UserCreate, dict(form), lambda d: users.create(db, user, d))
    if created:
        return RedirectResponse(f"{USERS_URL}/{created.id}?saved=1", status_code=303)
    return _user_form(request, None, values, errors, status_code=422)


@router.get("/users/{user_id}")
def edit_user_page(request: Request, db: DbSession, user_id: int, saved: str = ""):
    """The edit form of one user, with activation and password reset."""
    target = users.get(db, user_id)
    return _user_form(request, target, _user_values(target), {}, saved=saved)


@router.post("/users/{user_id}")
def update_user(request: Request, form: PostedForm, db: DbSession, user: CurrentUser, user_id: int):
    """Save a user's details and role."""
    target = users.get(db, user_id)
    saved, values, errors = submit_values(db, UserUpdate, dict(form), lambda d: users.update(db, user, user_id, d))
    if saved:
        return RedirectResponse(f"{USERS_URL}/{user_id}?saved=1", status_code=303)
    return _user_form(request, target, values, errors, status_code=422)


@router.post("/users/{user_id}/active")
def set_user_active(request: Request, form: PostedForm, db: DbSession, user: CurrentUser, user_id: int):
    """Deactivate or reactivate a user from the list or the edit page."""
    target = users.set_active(db, user, user_id, form.get("active") == "true")
    if request.headers.get("hx-request") == "true":
        return render(request, "features/users/list.html", {"u": target}, block="user_row")
    return RedirectResponse(f"{USERS_URL}/{user_id}?saved=1", status_code=303)


@router.post("/users/{user_id}/password")
def reset_user_password(request: Request, form: PostedForm, db: DbSession, user: CurrentUser, user_id: int):
    """Set a new password for a user."""
    target = users.get(db, user_id)
    done, _, errors = submit_values(
        db, PasswordReset, dict(form), lambda d: users.reset_password(db, user, user_id, d.password)
    )
    if done:
        return RedirectResponse(f"{USERS_URL}/{user_id}?saved=password", status_code=303)
    return _user_form(request, target, _user_values(target), {}, status_code=422, password_errors=errors)


@router.get("/audit")
def audit_page(request: Request, db: DbSession, f: Annotated[AuditFilter, Query()]):
    """The audit log with filters by entity, action, actor and dates; HTMX gets the rows."""
    context = {"page": audit.page(db, f), "f": f}
    if not is_htmx(request):  # the filter bar is only drawn on the full page
        context["entities"] = audit.entities(db)
    return render(request, "features/audit/audit.html", context, block="rows")


@router.get("/audit/export")
def audit_export_file(db: DbSession, f: Annotated[AuditFilter, Query()], format: ExportFormat = "csv"):
    """The filtered audit log as CSV or XLSX."""
    return audit_export(db, f, format)

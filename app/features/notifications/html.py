"""The notification switches: a form of checkboxes (also pulled into the profile page by HTMX)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.auth.deps import CurrentUser, DbSession, require
from app.auth.permissions import P
from app.domain.notify.crud import notify
from app.domain.notify.schemas import FLAGS, NotifySettingsUpdate
from app.web.feature import DashboardBase
from app.web.forms import PostedForm, submit_values
from app.web.i18n import gettext as _
from app.web.templating import render

router = APIRouter(dependencies=[Depends(require(P.NOTIFY_SETTINGS))])
TEMPLATE = "features/notifications/settings.html"
CHECKED = {"on", "true", "1"}


def _page(request: Request, base: str, values: dict, errors: dict, saved: bool, status_code: int = 200) -> Response:
    context = {"base": base, "values": values, "errors": errors, "saved": saved, "flags": FLAGS}
    return render(request, TEMPLATE, context, block="form", status_code=status_code)


@router.get("/notifications/settings")
def settings_page(request: Request, db: DbSession, user: CurrentUser, base: DashboardBase) -> Response:
    """The caller's switches as checkboxes."""
    return _page(request, base, notify.settings(db, user).model_dump(), {}, saved=False)


@router.post("/notifications/settings")
def save_settings(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, base: DashboardBase
) -> Response:
    """Save the checkboxes (a switch left unticked is off); the form again, saved or with its errors."""
    posted = {name: form.getlist(name) for name in FLAGS}
    errors = {name: _("Tick the box or leave it empty.") for name, got in posted.items() if set(got) - CHECKED}
    values = {name: bool(got) for name, got in posted.items()}
    if errors:
        return _page(request, base, values, errors, saved=False, status_code=422)
    done, _values, errors = submit_values(
        db, NotifySettingsUpdate, values, lambda data: notify.update_settings(db, user, data)
    )
    if done is None:
        return _page(request, base, values, errors, saved=False, status_code=422)
    return _page(request, base, done.model_dump(), {}, saved=True)

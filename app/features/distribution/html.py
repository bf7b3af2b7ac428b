"""The MOP's distribution page: automatic or manual mode, each salesperson's weight and daily cap,
who is on shift and how many leads they got today."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.deps import CurrentUser, DbSession
from app.core.errors import AppError
from app.domain.distribution.crud import distribution
from app.features.distribution.forms import read_form
from app.web.feature import DashboardBase
from app.web.forms import PostedForm
from app.web.i18n import gettext
from app.web.templating import render, see_other

router = APIRouter()


@router.get("/distribution")
def distribution_page(
    request: Request, db: DbSession, user: CurrentUser, base: DashboardBase, saved: bool = False
) -> Response:
    """The settings with the team on shift."""
    context = {"view": distribution.view(db, user), "base": base, "errors": {}, "values": {}, "saved": saved}
    return render(request, "features/distribution/distribution.html", context)


@router.post("/distribution")
def save_distribution(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, base: DashboardBase
) -> Response:
    """Save mode, weights and caps; the form again with errors next to the fields."""
    data, errors = read_form(form)
    if data is not None:
        try:
            with db.begin_nested():
                distribution.update(db, user, data)
            return see_other(f"{base}/distribution?saved=true")
        except AppError as exc:
            errors = {"__all__": gettext(exc.message, **exc.params)}
    context = {"view": distribution.view(db, user), "base": base, "errors": errors, "values": dict(form)}
    return render(request, "features/distribution/distribution.html", context | {"saved": False}, status_code=422)

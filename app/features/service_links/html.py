"""A contract's buyer link as a page and as the box other pages embed: make a new one, revoke it.

The forms post here from the contract page or the work order card and come back to that page
(`back`); an HTMX request gets the box alone, swapped in place.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.auth.deps import CurrentUser, DbSession, require
from app.auth.models import User
from app.auth.permissions import P
from app.core.errors import AppError
from app.core.types import Id
from app.domain.dispatch.service_links import service_links
from app.web.feature import DashboardBase
from app.web.forms import PostedForm
from app.web.i18n import gettext
from app.web.redirects import safe_path
from app.web.service_links import link_box
from app.web.templating import is_htmx, render, see_other

router = APIRouter()
WRITE = [Depends(require(P.WORK_ORDERS_WRITE))]
TEMPLATE = "features/service_links/link.html"


def _page(request: Request, db: Session, user: User, base: str, contract_id: int, **box: object) -> Response:
    context = {"box": link_box(request, db, user, contract_id, **box), "base": base, "back": ""}
    status = 409 if box.get("error") else 200
    return render(request, TEMPLATE, context, block="box", status_code=status)


def _change(
    request: Request, db: Session, user: User, base: str, contract_id: int, back: object, action: Callable[[], object]
) -> Response:
    """Run `action` in a savepoint; the box again (HTMX), else back to the page the form was on."""
    try:
        with db.begin_nested():
            action()
    except AppError as exc:
        if exc.status_code not in (409, 422):
            raise
        return _page(request, db, user, base, contract_id, error=gettext(exc.message, **exc.params))
    if is_htmx(request):
        return _page(request, db, user, base, contract_id)
    own = f"{base}/contracts/{contract_id}/service-link"
    return see_other(safe_path(back, within=base, fallback=own))


@router.get("/contracts/{contract_id:int}/service-link", dependencies=WRITE)
def service_link_page(
    request: Request, db: DbSession, user: CurrentUser, base: DashboardBase, contract_id: Id
) -> Response:
    """The contract's buyer link with its copy, new-link and revoke buttons."""
    return _page(request, db, user, base, contract_id)


@router.post("/contracts/{contract_id:int}/service-link", dependencies=WRITE)
def new_service_link(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, base: DashboardBase, contract_id: Id
) -> Response:
    """Make a new link (the one before stops working)."""
    return _change(
        request, db, user, base, contract_id, form.get("back"), lambda: service_links.issue(db, user, contract_id)
    )


@router.post("/contracts/{contract_id:int}/service-link/revoke", dependencies=WRITE)
def revoke_service_link(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, base: DashboardBase, contract_id: Id
) -> Response:
    """Revoke the link: the buyer's page answers "not found" from now on."""
    return _change(
        request, db, user, base, contract_id, form.get("back"), lambda: service_links.revoke(db, user, contract_id)
    )

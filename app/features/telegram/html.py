"""The Telegram page of a staff user's dashboard: link status, a one-time link, unlinking."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.deps import CurrentUser, DbSession, get_settings, require
from app.auth.permissions import P
from app.domain.telegram.crud import telegram
from app.features.telegram.links import deep_link
from app.web.feature import DashboardBase
from app.web.templating import render

router = APIRouter(dependencies=[Depends(require(P.TELEGRAM_LINK))])
TEMPLATE = "features/telegram/page.html"


@router.get("/telegram")
def telegram_page(request: Request, db: DbSession, user: CurrentUser, base: DashboardBase) -> Response:
    """Whether this account's chat is linked, with the button that makes a link."""
    context = {"link": telegram.link_of(db, user), "issued": None, "deep_link": "", "base": base}
    return render(request, TEMPLATE, context)


@router.post("/telegram/link")
def telegram_link(request: Request, db: DbSession, user: CurrentUser, base: DashboardBase) -> Response:
    """A fresh one-time code and its deep link, shown once."""
    issued = telegram.issue_code(db, user)
    link = deep_link(get_settings(request), issued.code)
    context = {"link": telegram.link_of(db, user), "issued": issued, "deep_link": link, "base": base}
    return render(request, TEMPLATE, context)


@router.post("/telegram/unlink")
def telegram_unlink(db: DbSession, user: CurrentUser, base: DashboardBase) -> Response:
    """Forget the linked chat, back to the page."""
    telegram.unlink(db, user)
    return RedirectResponse(f"{base}/telegram", status_code=303)

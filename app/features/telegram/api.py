"""The JSON twin: GET /api/<role>/telegram, POST /api/<role>/telegram/link and /unlink."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from app.auth.deps import CurrentUser, DbSession, get_settings, require
from app.auth.permissions import P
from app.domain.telegram.crud import telegram
from app.domain.telegram.schemas import LinkCodeRead, LinkStatus
from app.features.telegram.links import deep_link

router = APIRouter(dependencies=[Depends(require(P.TELEGRAM_LINK))])


@router.get("/telegram", response_model=LinkStatus)
def link_status(db: DbSession, user: CurrentUser) -> LinkStatus:
    """Whether the caller's Telegram chat is linked."""
    link = telegram.link_of(db, user)
    if link is None:
        return LinkStatus(linked=False)
    return LinkStatus(linked=True, linked_at=link.linked_at, unreachable=link.unreachable_at is not None)


@router.post("/telegram/link", response_model=LinkCodeRead, status_code=201)
def make_link(request: Request, db: DbSession, user: CurrentUser) -> LinkCodeRead:
    """A one-time code (10 minutes) and the deep link https://t.me/<bot>?start=<code>."""
    issued = telegram.issue_code(db, user)
    return LinkCodeRead(
        code=issued.code, deep_link=deep_link(get_settings(request), issued.code), expires_at=issued.expires_at
    )


@router.post("/telegram/unlink", status_code=204)
def unlink(db: DbSession, user: CurrentUser) -> Response:
    """Forget the caller's linked chat."""
    telegram.unlink(db, user)
    return Response(status_code=204)

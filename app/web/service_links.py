"""The buyer link box that staff pages share (contract page, work order card, the link's own page)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.permissions import P, can
from app.domain.dispatch.models import ServiceLink
from app.domain.dispatch.service_links import service_links


def service_url(request: Request, token: str) -> str:
    """The absolute address of a buyer's page: PUBLIC_BASE_URL, else the address this request came to."""
    base = request.app.state.settings.public_base_url or str(request.base_url).rstrip("/")
    return f"{base}/service/{token}"


def link_url(request: Request, link: ServiceLink | None) -> str | None:
    """The buyer's address of an active link (None without one)."""
    if link is None:
        return None
    return service_url(request, service_links.token(request.app.state.settings.secret_key, link))


def link_box(request: Request, db: Session, user: User, contract_id: int, error: str = "") -> dict[str, Any] | None:
    """What the link box shows of a contract's link, for staff who manage work orders; None for others."""
    if not can(user, P.WORK_ORDERS_WRITE):
        return None
    link = service_links.active(db, user, contract_id)
    return {"contract_id": contract_id, "link": link, "url": link_url(request, link), "error": error}

"""The JSON twin of the buyer link: read it, make a new one (POST), revoke it (DELETE)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from app.auth.deps import CurrentUser, DbSession, require
from app.auth.permissions import P
from app.core.types import Id
from app.domain.dispatch.models import ServiceLink
from app.domain.dispatch.schemas import ServiceLinkRead
from app.domain.dispatch.service_links import service_links
from app.web.service_links import link_url

router = APIRouter()
WRITE = [Depends(require(P.WORK_ORDERS_WRITE))]


def _read(request: Request, contract_id: int, link: ServiceLink | None) -> ServiceLinkRead:
    return ServiceLinkRead(
        contract_id=contract_id,
        active=link is not None,
        url=link_url(request, link),
        created_at=link.created_at if link else None,
        created_by=link.created_by.display_name if link and link.created_by else None,
    )


@router.get("/contracts/{contract_id:int}/service-link", response_model=ServiceLinkRead, dependencies=WRITE)
def get_service_link(request: Request, db: DbSession, user: CurrentUser, contract_id: Id) -> ServiceLinkRead:
    """The contract's active buyer link (`active: false` and no `url` when there is none)."""
    return _read(request, contract_id, service_links.active(db, user, contract_id))


@router.post(
    "/contracts/{contract_id:int}/service-link", response_model=ServiceLinkRead, status_code=201, dependencies=WRITE
)
def new_service_link(request: Request, db: DbSession, user: CurrentUser, contract_id: Id) -> ServiceLinkRead:
    """A new link for an active contract (409 otherwise); the one before stops working."""
    return _read(request, contract_id, service_links.issue(db, user, contract_id))


@router.delete("/contracts/{contract_id:int}/service-link", status_code=204, dependencies=WRITE)
def revoke_service_link(db: DbSession, user: CurrentUser, contract_id: Id) -> Response:
    """Revoke the contract's link (204 also when there was none)."""
    service_links.revoke(db, user, contract_id)
    return Response(status_code=204)

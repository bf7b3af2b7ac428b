"""The JSON twin of the handovers: request one for a contract, read and save a handover order's record."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from app.auth.deps import CurrentUser, DbSession, require
from app.auth.permissions import P
from app.core.errors import NotFound
from app.core.types import Id
from app.domain.dispatch.handover_schemas import HandoverRead, HandoverWrite
from app.domain.dispatch.handovers import handovers
from app.domain.dispatch.models import WorkOrder
from app.domain.dispatch.schemas import WorkOrderRead
from app.features.work_orders.common import due_rules

router = APIRouter()
WRITE = [Depends(require(P.WORK_ORDERS_WRITE))]
READ = [Depends(require(P.WORK_ORDERS_READ))]


@router.post("/contracts/{contract_id:int}/handover", response_model=WorkOrderRead, status_code=201, dependencies=WRITE)
def request_handover(request: Request, db: DbSession, user: CurrentUser, contract_id: Id) -> WorkOrder:
    """A handover order for the contract's apartment (409 while one is open or the contract is cancelled)."""
    return handovers.request(db, user, contract_id, due_rules(request))


@router.get("/work-orders/{order_id:int}/handover", response_model=HandoverRead, dependencies=READ)
def get_handover(db: DbSession, user: CurrentUser, order_id: Id) -> HandoverRead:
    """What was recorded at a handover order, with its defect orders (404 before the visit)."""
    record = handovers.record_of(db, user, order_id)
    if record is None:
        raise NotFound("Nothing has been recorded at this handover yet.")
    return record


@router.post("/work-orders/{order_id:int}/handover", response_model=HandoverRead, dependencies=WRITE)
def save_handover(
    request: Request, db: DbSession, user: CurrentUser, order_id: Id, body: HandoverWrite
) -> HandoverRead:
    """Record readings, keys and acceptance; each defect becomes a linked defect order; `complete` closes it.

    422 names the bad field (e.g. `defects.0.title`); nothing is saved then."""
    return handovers.record(db, user, order_id, body, due_rules(request))

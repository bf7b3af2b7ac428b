"""The JSON twin of the work orders: list with filters, the queue, entry, the partial edit, pictures."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Header, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response

from app.auth.deps import CurrentUser, DbSession, require
from app.auth.permissions import P
from app.core.paging import Page, PageParams
from app.core.types import Id
from app.domain.dispatch.crud import work_orders
from app.domain.dispatch.models import WorkOrder
from app.domain.dispatch.schemas import WorkOrderCreate, WorkOrderFilter, WorkOrderPatch, WorkOrderRead
from app.features.work_orders import handover_api
from app.features.work_orders.common import due_rules, if_match, picture_response, storage, upload_of

router = APIRouter()
WRITE = [Depends(require(P.WORK_ORDERS_WRITE))]
PICTURE = {200: {"description": "The picture", "content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}}


@router.get("/work-orders", response_model=Page[WorkOrderRead])
def list_work_orders(db: DbSession, user: CurrentUser, f: Annotated[WorkOrderFilter, Query()]) -> Page[WorkOrder]:
    """Orders by status, kind, technician, complex, period and text; the soonest due first."""
    return work_orders.page(db, user, f)


@router.get("/work-orders/unassigned", response_model=Page[WorkOrderRead])
def unassigned_work_orders(db: DbSession, user: CurrentUser, p: Annotated[PageParams, Query()]) -> Page[WorkOrder]:
    """The queue: new orders without a technician or time, the oldest due first."""
    return work_orders.unassigned(db, user, p)


@router.post("/work-orders", response_model=WorkOrderRead, status_code=201, dependencies=WRITE)
def create_work_order(request: Request, db: DbSession, user: CurrentUser, body: WorkOrderCreate) -> WorkOrder:
    """A new order on an apartment (409 when its slot clashes, unless `force`)."""
    return work_orders.create(db, user, body, due_rules(request))


@router.get("/work-orders/{order_id:int}", response_model=WorkOrderRead)
def get_work_order(db: DbSession, user: CurrentUser, order_id: Id, response: Response) -> WorkOrder:
    """One order; its version is in the ETag header too."""
    row = work_orders.get(db, user, order_id)
    response.headers["ETag"] = f'"{row.version}"'
    return row


@router.patch("/work-orders/{order_id:int}", response_model=WorkOrderRead, dependencies=WRITE)
def patch_work_order(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    order_id: Id,
    body: WorkOrderPatch,
    match: Annotated[str | None, Header(alias="If-Match")] = None,
) -> WorkOrder:
    """Change the fields sent: 422 naming bad ones, 409 on a stale version or a slot conflict (unless `force`)."""
    return work_orders.update(db, user, order_id, body, due_rules(request), if_match(match))


@router.post("/work-orders/{order_id:int}/pictures", response_model=WorkOrderRead, dependencies=WRITE)
def add_picture(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    order_id: Id,
    picture: Annotated[UploadFile | None, File()] = None,
) -> WorkOrder:
    """Attach a picture (JPEG, PNG or WebP up to MAX_UPLOAD_MB; 422 naming `picture` otherwise)."""
    return work_orders.add_picture(db, user, order_id, upload_of(picture), **storage(request))


@router.get("/work-orders/{order_id:int}/pictures/{picture_id:int}", response_class=FileResponse, responses=PICTURE)
def get_picture(request: Request, db: DbSession, user: CurrentUser, order_id: Id, picture_id: Id) -> FileResponse:
    """A picture of a visible order."""
    return picture_response(work_orders.picture(db, user, order_id, picture_id, storage(request)["data_dir"]))


router.routes.extend(handover_api.router.routes)  # the handover routes, as this module's own

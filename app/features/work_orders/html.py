"""Work orders as pages: the list with filters, an order's card with its edit form and pictures,
the form of a new order; a slot conflict shows its reasons and a box to schedule anyway."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.auth.deps import CurrentUser, DbSession, require
from app.auth.models import User
from app.auth.permissions import P, can
from app.core.errors import AppError
from app.core.types import Id
from app.domain.contracts.models import ContractStatus
from app.domain.dispatch.crud import technicians, work_orders
from app.domain.dispatch.models import OrderKind, OrderStatus, Skill, WorkOrder
from app.domain.dispatch.rules import ScheduleConflict
from app.domain.dispatch.schemas import WorkOrderCreate, WorkOrderFilter, WorkOrderPatch
from app.features.work_orders.common import due_rules, picture_response, storage, upload_of
from app.web.feature import DashboardBase
from app.web.format import input_datetime
from app.web.forms import PostedForm, validate_form
from app.web.i18n import gettext
from app.web.service_links import link_box
from app.web.templating import render, see_other

router = APIRouter()
WRITE = [Depends(require(P.WORK_ORDERS_WRITE))]
EDIT_FIELDS = (
    "kind", "priority", "title", "description", "required_skill", "status", "cancel_reason", "scheduled_start",
    "duration_minutes", "technician_id", "notes", "completion_note", "version",
)  # fmt: skip
NEW_FIELDS = ("apartment_id", "kind", "priority", "title", "description", "required_skill", "scheduled_start",
              "duration_minutes", "technician_id", "notes")  # fmt: skip
CLEARABLE = ("technician_id", "scheduled_start", "required_skill")


def _choices(db: Session, user: User) -> dict[str, Any]:
    """What the selects offer."""
    return {
        "technicians": [(t.id, t.name) for t in technicians.all(db, user, active_only=True)],
        "kinds": [k.value for k in OrderKind],
        "statuses": [s.value for s in OrderStatus],
        "skills": [s.value for s in Skill],
    }


def _values_of(row: WorkOrder) -> dict:
    """An order as its edit form shows it (the time on the company's wall clock)."""
    values = {name: getattr(row, name) for name in EDIT_FIELDS}
    values |= {k: getattr(row, k).value if getattr(row, k) else "" for k in ("kind", "status", "required_skill")}
    values["scheduled_start"] = input_datetime(row.scheduled_start) if row.scheduled_start else ""
    return values


def _posted(form: PostedForm, names: tuple[str, ...]) -> dict:
    """The posted fields; an emptied technician, time or skill means "none"."""
    values: dict[str, Any] = {k: v for k, v in form.items() if k in names}
    return {k: (None if k in CLEARABLE and v == "" else v) for k, v in values.items()}


def _save(db: Session, model: type, values: dict, action: Any) -> tuple[WorkOrder | None, dict, list[str], int]:
    """Validate and run `action` in a savepoint: (row, errors, conflicts, status)."""
    data, errors = validate_form(model, values)
    if data is None:
        return None, errors, [], 422
    try:
        with db.begin_nested():
            return action(data), {}, [], 200
    except ScheduleConflict as exc:
        return None, {}, exc.reasons, 409
    except AppError as exc:
        return None, {exc.field or "__all__": gettext(exc.message, **exc.params)}, [], exc.status_code


@router.get("/work-orders")
def work_orders_page(
    request: Request, db: DbSession, user: CurrentUser, base: DashboardBase, f: Annotated[WorkOrderFilter, Query()]
) -> Response:
    """Orders by status, kind, technician, complex, period and text; HTMX gets the rows."""
    context = {"page": work_orders.page(db, user, f), "f": f, "base": base}
    if can(user, P.WORK_ORDERS_READ_ALL):
        context |= _choices(db, user)
    return render(request, "features/work_orders/list.html", context, block="rows")


def _card(
    request: Request,
    db: Session,
    user: User,
    base: str,
    row: WorkOrder,
    values: dict,
    errors: dict,
    conflicts: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {"order": row, "values": values, "errors": errors, "conflicts": conflicts or [], "base": base}
    context["saved"] = request.query_params.get("saved", "")[:10]
    active = row.contract is not None and row.contract.status == ContractStatus.ACTIVE
    context["service_link_box"] = link_box(request, db, user, row.contract.id) if active else None
    if can(user, P.WORK_ORDERS_WRITE):
        context |= _choices(db, user)
    return render(request, "features/work_orders/card.html", context, status_code=status_code)


@router.get("/work-orders/{order_id:int}")
def work_order_page(request: Request, db: DbSession, user: CurrentUser, base: DashboardBase, order_id: Id) -> Response:
    """An order's card: apartment, buyer, slot, status; the dispatcher edits it here."""
    row = work_orders.get(db, user, order_id)
    return _card(request, db, user, base, row, _values_of(row), {})


@router.post("/work-orders/{order_id:int}", dependencies=WRITE)
def update_work_order(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, base: DashboardBase, order_id: Id
) -> Response:
    """Save the edit; a conflict shows its reasons and "schedule anyway"; a stale edit says so."""
    work_orders.get(db, user, order_id)
    values = _posted(form, EDIT_FIELDS) | {"force": bool(form.get("force"))}
    row, errors, conflicts, status = _save(
        db, WorkOrderPatch, values, lambda d: work_orders.update(db, user, order_id, d, due_rules(request), None)
    )
    if row is None:
        return _card(request, db, user, base, work_orders.get(db, user, order_id), values, errors, conflicts, status)
    return see_other(f"{base}/work-orders/{row.id}?saved=1")


def _new_form(
    request: Request,
    db: Session,
    user: User,
    base: str,
    values: dict,
    errors: dict,
    conflicts: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {"values": values, "errors": errors, "conflicts": conflicts or [], "base": base}
    context |= _choices(db, user) | {"apartments": work_orders.apartment_choices(db)}
    return render(request, "features/work_orders/new.html", context, status_code=status_code)


@router.get("/work-orders/new", dependencies=WRITE)
def new_work_order_page(request: Request, db: DbSession, user: CurrentUser, base: DashboardBase) -> Response:
    """An empty order form: a defect of priority 3, one hour."""
    values = {"kind": "defect", "priority": 3, "duration_minutes": 60}
    if request.query_params.get("apartment_id", "").isdigit():
        values["apartment_id"] = request.query_params["apartment_id"]
    return _new_form(request, db, user, base, values, {})


@router.post("/work-orders", dependencies=WRITE)
def create_work_order(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, base: DashboardBase
) -> Response:
    """Create the order; the form again with the errors or the conflict."""
    values = _posted(form, NEW_FIELDS) | {"force": bool(form.get("force"))}
    row, errors, conflicts, status = _save(
        db, WorkOrderCreate, values, lambda d: work_orders.create(db, user, d, due_rules(request))
    )
    if row is None:
        return _new_form(request, db, user, base, values, errors, conflicts, status)
    return see_other(f"{base}/work-orders/{row.id}?saved=1")


@router.post("/work-orders/{order_id:int}/pictures", dependencies=WRITE)
def add_picture(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, base: DashboardBase, order_id: Id
) -> Response:
    """Attach a picture; the card again with the error next to the file field."""
    row = work_orders.get(db, user, order_id)
    try:
        with db.begin_nested():
            work_orders.add_picture(db, user, order_id, upload_of(form.get("picture")), **storage(request))
    except AppError as exc:
        errors = {"picture": gettext(exc.message, **exc.params)}
        return _card(request, db, user, base, row, _values_of(row), errors, status_code=exc.status_code)
    return see_other(f"{base}/work-orders/{order_id}?saved=1")


@router.get("/work-orders/{order_id:int}/pictures/{picture_id:int}")
def picture_file(request: Request, db: DbSession, user: CurrentUser, order_id: Id, picture_id: Id) -> Response:
    """A picture of the order, shown in the browser."""
    return picture_response(work_orders.picture(db, user, order_id, picture_id, storage(request)["data_dir"]))

"""Handover pages: request a handover from a contract or an order's card, and the handover form on a
handover order's card (readings, keys, defects found, the buyer's acceptance), errors next to fields."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from app.auth.deps import CurrentUser, DbSession, require
from app.auth.permissions import P
from app.core.errors import AppError, Conflict
from app.core.types import Id
from app.domain.dispatch.crud import work_orders
from app.domain.dispatch.handover_schemas import READINGS, HandoverWrite
from app.domain.dispatch.handovers import handovers
from app.features.work_orders.card import DEFECT_ROWS, render_card, values_of
from app.features.work_orders.common import due_rules
from app.web.feature import DashboardBase
from app.web.forms import PostedForm, error_message
from app.web.i18n import gettext
from app.web.templating import see_other

router = APIRouter()
WRITE = [Depends(require(P.WORK_ORDERS_WRITE))]
TEXTS = ("keys_count", "acceptance", "buyer_name", "accepted_at", "remarks")
DEFECT_PARTS = ("title", "description", "required_skill")


def _posted(form: PostedForm) -> tuple[dict[str, Any], dict[str, Any], list[int]]:
    """(what the form shows again, the model's input, the form row of each defect sent)."""
    shown: dict[str, Any] = {name: str(form.get(name, "")) for name in (*READINGS, *TEXTS)}
    shown["complete"] = bool(form.get("complete"))
    readings = {name: shown[name].replace(" ", "").replace(",", ".") for name in READINGS}  # "1 234,5" as typed
    data: dict[str, Any] = {k: (None if k in (*READINGS, "acceptance", "accepted_at") and v == "" else v)
                            for k, v in (shown | readings).items()}  # fmt: skip
    rows, defects = [], []
    for n in range(DEFECT_ROWS):
        parts = {part: str(form.get(f"defects-{n}-{part}", "")) for part in DEFECT_PARTS}
        shown |= {f"defects-{n}-{part}": value for part, value in parts.items()}
        if any(value.strip() for value in parts.values()):
            rows.append(n)
            defects.append(parts)
    data["defects"] = defects
    return shown, data, rows


def _errors(exc: ValidationError, rows: list[int]) -> dict[str, str]:
    """Pydantic's errors keyed by the form's field names (a defect's by its form row)."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        if len(loc) >= 3 and loc[0] == "defects" and loc[1].isdigit():
            name = f"defects-{rows[int(loc[1])]}-{loc[2]}"
        else:
            name = loc[0] if loc else "__all__"
        errors.setdefault(name, error_message(error))
    return errors


@router.post("/contracts/{contract_id:int}/handover", dependencies=WRITE)
def request_handover(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, base: DashboardBase, contract_id: Id
) -> Response:
    """Request a handover of the contract's apartment; an open one is shown instead of a second."""
    try:
        with db.begin_nested():
            row = handovers.request(db, user, contract_id, due_rules(request))
    except Conflict:
        existing = handovers.open_handover(db, contract_id)
        if existing is None:
            raise
        return see_other(f"{base}/work-orders/{existing}?open=1")
    return see_other(f"{base}/work-orders/{row.id}?saved=1")


@router.post("/work-orders/{order_id:int}/handover", dependencies=WRITE)
def save_handover(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, base: DashboardBase, order_id: Id
) -> Response:
    """Save the handover form; the card again with each error next to its field, nothing saved."""
    order = work_orders.get(db, user, order_id)
    shown, data, rows = _posted(form)
    try:
        body = HandoverWrite.model_validate(data)
        with db.begin_nested():
            handovers.record(db, user, order_id, body, due_rules(request))
    except ValidationError as exc:
        return _again(request, db, user, base, order_id, shown, _errors(exc, rows), 422)
    except AppError as exc:
        message = {"__all__": gettext(exc.message, **exc.params)}
        return _again(request, db, user, base, order.id, shown, message, exc.status_code)
    return see_other(f"{base}/work-orders/{order_id}?saved=1")


def _again(
    request: Request, db: DbSession, user: CurrentUser, base: str, order_id: int, shown: dict, errors: dict, code: int
) -> Response:
    row = work_orders.get(db, user, order_id)
    form = {"values": shown, "errors": errors}
    return render_card(request, db, user, base, row, values_of(row), {}, status_code=code, handover_form=form)

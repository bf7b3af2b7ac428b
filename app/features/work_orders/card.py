"""An order's card as both page modules render it: the edit form's choices and values, and for a
handover its record, form and defects; a defect found at a handover links back to it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.permissions import P, can
from app.domain.contracts.models import ContractStatus
from app.domain.dispatch.crud import technicians
from app.domain.dispatch.handover_schemas import READINGS
from app.domain.dispatch.handovers import handovers
from app.domain.dispatch.models import Acceptance, OrderKind, OrderStatus, Skill, WorkOrder
from app.web.format import input_datetime
from app.web.service_links import link_box
from app.web.templating import render

EDIT_FIELDS = (
    "kind", "priority", "title", "description", "required_skill", "status", "cancel_reason", "scheduled_start",
    "duration_minutes", "technician_id", "notes", "completion_note", "version",
)  # fmt: skip
DEFECT_ROWS = 5  # blank defect rows the handover form offers at once


def choices(db: Session, user: User) -> dict[str, Any]:
    """What the selects offer."""
    return {
        "technicians": [(t.id, t.name) for t in technicians.all(db, user, active_only=True)],
        "kinds": [k.value for k in OrderKind],
        "statuses": [s.value for s in OrderStatus],
        "skills": [s.value for s in Skill],
    }


def values_of(row: WorkOrder) -> dict:
    """An order as its edit form shows it (the time on the company's wall clock)."""
    values = {name: getattr(row, name) for name in EDIT_FIELDS}
    values |= {k: getattr(row, k).value if getattr(row, k) else "" for k in ("kind", "status", "required_skill")}
    values["scheduled_start"] = input_datetime(row.scheduled_start) if row.scheduled_start else ""
    return values


def _reading(value: Decimal | None) -> str:
    """A stored reading as its field shows it: 1234.5, not 1234.500."""
    return "" if value is None else f"{value.normalize():f}"


def _handover_context(db: Session, user: User, row: WorkOrder, form: dict | None) -> dict[str, Any]:
    """The handover's record, the defects it raised and the form's values (the record's, or what was posted)."""
    record = handovers.record_of(db, user, row.id)
    if form is None:
        values: dict[str, Any] = {"buyer_name": row.contract.buyer_full_name if row.contract else ""}
        if record is not None:
            values = {name: _reading(getattr(record, name)) for name in READINGS}
            values |= {"keys_count": record.keys_count, "buyer_name": record.buyer_name, "remarks": record.remarks}
            values |= {"acceptance": record.acceptance.value if record.acceptance else ""}
            values["accepted_at"] = input_datetime(record.accepted_at)
        form = {"values": values, "errors": {}}
    return {
        "handover": record,
        "handover_defects": handovers.defects_of(db, row.id),
        "handover_values": form["values"],
        "handover_errors": form["errors"],
        "defect_rows": range(DEFECT_ROWS),
        "acceptances": [a.value for a in Acceptance],
    }


def render_card(
    request: Request,
    db: Session,
    user: User,
    base: str,
    row: WorkOrder,
    values: dict,
    errors: dict,
    conflicts: list[str] | None = None,
    status_code: int = 200,
    handover_form: dict | None = None,
) -> Response:
    """The order's card page with the given edit values and errors (a failed handover form: its own)."""
    context = {"order": row, "values": values, "errors": errors, "conflicts": conflicts or [], "base": base}
    context["saved"] = request.query_params.get("saved", "")[:10]
    context["already_open"] = request.query_params.get("open") == "1"
    active = row.contract is not None and row.contract.status == ContractStatus.ACTIVE
    context["service_link_box"] = link_box(request, db, user, row.contract.id) if active else None
    if can(user, P.WORK_ORDERS_WRITE):
        context |= choices(db, user)
    if row.kind == OrderKind.HANDOVER:
        context |= _handover_context(db, user, row, handover_form)
    elif row.contract_id is not None:
        context["open_handover"] = handovers.open_handover(db, row.contract_id)
    return render(request, "features/work_orders/card.html", context, status_code=status_code)

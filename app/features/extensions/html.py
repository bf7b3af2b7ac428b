"""The MOP's queue of booking extension requests: approve or reject each."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.deps import CurrentUser, DbSession
from app.core.types import Id
from app.domain.bookings.crud import bookings, extended_until
from app.domain.bookings.schemas import ExtensionDecision
from app.web.feature import DashboardBase
from app.web.forms import PostedForm, submit_values
from app.web.templating import is_htmx, render, see_other

router = APIRouter()


@router.get("/extensions")
def extensions_page(
    request: Request, db: DbSession, user: CurrentUser, base: DashboardBase, done: str = ""
) -> Response:
    """Extension requests waiting for a decision, soonest expiry first, with Approve / Reject."""
    context = {
        "base": base,
        "items": bookings.pending_extensions(db, user),
        "done": done,
        "extended_until": extended_until,
    }
    return render(request, "features/extensions/extensions.html", context)


@router.post("/bookings/{booking_id:int}/extension/decision")
def decide_extension(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, booking_id: Id, base: DashboardBase
) -> Response:
    """Approve or reject an extension; HTMX gets the row replaced by the outcome."""
    decided, _, errors = submit_values(
        db, ExtensionDecision, dict(form), lambda d: bookings.decide_extension(db, user, booking_id, d.approve)
    )
    error = next(iter(errors.values()), "")
    if not is_htmx(request):
        if error:
            context = {
                "base": base,
                "items": bookings.pending_extensions(db, user),
                "done": "",
                "error": error,
                "extended_until": extended_until,
            }
            return render(request, "features/extensions/extensions.html", context, status_code=409)
        return see_other(f"{base}/extensions?done={decided.extension_status.value}")
    booking = decided or bookings.get(db, user, booking_id)
    context = {
        "base": base,
        "b": booking,
        "error": error,
        "decided": decided is not None,
        "extended_until": extended_until,
    }
    return render(request, "features/extensions/row.html", context, status_code=409 if error else 200)

"""Bookings: the list (a salesperson's own), booking an apartment for a lead, cancelling, asking for more time."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from app.auth.deps import CurrentUser, DbSession, get_settings, require
from app.auth.permissions import P, has_permission
from app.core import clock
from app.core.errors import NotFound
from app.core.types import Id
from app.domain.bookings.crud import bookings
from app.domain.bookings.models import BookingStatus
from app.domain.bookings.schemas import BookingCancel, BookingCreate, BookingFilter, ExtensionRequest
from app.domain.inventory.crud import apartments, complexes
from app.domain.leads.crud import pipeline
from app.web.feature import DashboardBase, DashboardRole
from app.web.forms import PostedForm, blank_is_none, first_error, optional_int, submit_with_status, validate_form
from app.web.handlers import error_response
from app.web.lead_page import OPTION_LIMIT, booking_picker, lead_page, time_left
from app.web.redirects import safe_path
from app.web.templating import is_htmx, render, see_other

router = APIRouter()
WRITE = [Depends(require(P.BOOKINGS_WRITE))]


@router.get("/bookings")
def bookings_page(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    f: Annotated[BookingFilter, Query()],
    base: DashboardBase,
    role: DashboardRole,
) -> Response:
    """Bookings the user may see (a salesperson's own), filtered by status, with time left."""
    context = {
        "page": bookings.page(db, user, f),
        "f": f,
        "base": base,
        "now": clock.now(),
        "time_left": time_left,
        "statuses": list(BookingStatus),
        "role": role,
        "may_book": has_permission(role, P.BOOKINGS_WRITE),
    }
    return render(request, "features/bookings/list.html", context, block="rows")


@router.post("/bookings", dependencies=WRITE)
def create_booking(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, base: DashboardBase
) -> Response:
    """Book a free apartment for a lead: back to the lead, or the form with "not free any more"."""
    hours = get_settings(request).booking_hours
    values = blank_is_none(dict(form), "hours")
    booking, values, errors, status = submit_with_status(
        db, BookingCreate, values, lambda d: bookings.create(db, user, d, hours)
    )
    if is_htmx(request):
        context = {
            "apartment_id": values.get("apartment_id", ""),
            "lead_id": values.get("lead_id", ""),
            "values": values,
            "errors": errors,
            "booking": booking,
            "base": base,
            "conflict": status == 409,
            "apartment_status": apartments.status_of(db, values.get("apartment_id", "")),
        }
        return render(request, "features/bookings/form.html", context, status_code=status if errors else 201)
    if booking is not None:
        return see_other(f"{base}/leads/{booking.lead_id}?note=booked")
    lead_id = optional_int(values.get("lead_id"))
    try:
        lead = pipeline.get(db, user, lead_id) if lead_id is not None else None
    except NotFound:
        lead = None
    if lead is None:
        return error_response(request, status, first_error(errors))
    return lead_page(request, db, lead, status_code=status, book_errors=errors)


@router.get("/bookings/picker", dependencies=WRITE)
def booking_picker_fragment(
    request: Request, db: DbSession, base: DashboardBase, complex_id: str = "", building_id: str = ""
) -> Response:
    """The complex -> building -> free apartment selects of the booking form (HTMX)."""
    picker = booking_picker(
        db,
        complexes.all(db),
        optional_int(complex_id),
        optional_int(building_id),
    )
    return render(request, "features/bookings/picker.html", {"picker": picker, "base": base})


@router.get("/leads/options", dependencies=WRITE)
def lead_options(
    request: Request, db: DbSession, user: CurrentUser, apartment_id: str = "", selected: str = ""
) -> Response:
    """<option>s of the caller's open leads for the apartment card's booking form."""
    options = bookings.lead_options(db, user, OPTION_LIMIT)
    return render(
        request,
        "features/bookings/lead_options.html",
        {
            "leads": options,
            "apartment_id": optional_int(apartment_id),
            "selected": optional_int(selected),
        },
    )


@router.post("/bookings/{booking_id:int}/cancel", dependencies=WRITE)
def cancel_booking(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, booking_id: Id, base: DashboardBase
) -> Response:
    """Cancel an active booking; the apartment is free again."""
    booking = bookings.get(db, user, booking_id)
    values = dict(form)
    back = safe_path(values.pop("next", ""), within=base, fallback=f"{base}/leads/{booking.lead_id}?note=cancelled")
    data, errors = validate_form(BookingCancel, values)
    if data is None:
        return error_response(request, 422, first_error(errors))
    bookings.cancel(db, user, booking_id, data.reason)
    return see_other(back)


@router.post("/bookings/{booking_id:int}/extension", dependencies=WRITE)
def request_extension(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, booking_id: Id, base: DashboardBase
) -> Response:
    """Ask the MOP for more hours on an active booking."""
    booking = bookings.get(db, user, booking_id)
    values = dict(form)
    back = safe_path(values.pop("next", ""), within=base, fallback=f"{base}/leads/{booking.lead_id}?note=extension")
    _, values, errors, status = submit_with_status(
        db, ExtensionRequest, values, lambda d: bookings.request_extension(db, user, booking_id, d)
    )
    if not errors:
        return see_other(back)
    try:
        lead = pipeline.get(db, user, booking.lead_id)
    except NotFound:
        return error_response(request, status, first_error(errors))
    return lead_page(
        request,
        db,
        lead,
        status_code=status,
        ext_errors={booking.id: errors},
        ext_values={booking.id: values},
    )

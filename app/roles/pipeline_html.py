"""HTML pages of the lead pipeline (kanban, lead page, callbacks, new lead, bookings).

Each page calls the same CRUD method as its JSON twin in app/roles/pipeline.py, under the
same rest of path (/dashboard/<role>/kanban <-> /api/<role>/kanban, ...); row scope lives in
the CRUD classes. Forms re-render with errors next to their fields; HTMX requests get
fragments (a kanban card, a list row, a timeline entry, the booking form) or an error toast.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from app.auth.deps import CurrentUser, DbSession, get_settings
from app.auth.permissions import P, Role, has_permission
from app.core import clock
from app.core.errors import AppError, NotFound
from app.domain.bookings.crud import BOOKABLE_LEAD_STATUSES, bookings
from app.domain.bookings.models import BookingStatus
from app.domain.bookings.schemas import BookingCancel, BookingCreate, BookingFilter, ExtensionRequest
from app.domain.contracts.crud import contracts
from app.domain.inventory.crud import apartments, complexes
from app.domain.inventory.models import ApartmentStatus
from app.domain.inventory.schemas import ApartmentFilter
from app.domain.leads.crud import leads, pipeline
from app.domain.leads.models import Lead, LeadStatus
from app.domain.leads.schemas import CallbackWhen, CommentCreate, LeadCreate, LeadEdit, LeadFilter, StatusChange
from app.roles.pipeline import kanban_columns
from app.web.forms import PostedForm, local_to_utc, submit_values, validate_form
from app.web.handlers import error_response
from app.web.i18n import gettext
from app.web.labels import LEAD_STATUS_LABELS, LEAD_TRANSITIONS
from app.web.templating import is_htmx, query_with, render, see_other

M = TypeVar("M", bound=BaseModel)
OPTION_LIMIT = 200  # leads offered in the apartment card's select; free apartments in the picker


# --- helpers -------------------------------------------------------------------------------


def _submit(db, model: type[M], values: dict, action: Callable[[M], Any]) -> tuple[Any, dict, dict, int]:
    """submit_values, plus the HTTP status of a failure (422 for input, else the AppError's own)."""
    failed: dict[str, int] = {}

    def run(data: M) -> Any:
        try:
            return action(data)
        except AppError as exc:
            failed["status"] = exc.status_code
            raise

    result, values, errors = submit_values(db, model, values, run)
    return result, values, errors, failed.get("status", 422) if errors else 200


def _first(errors: dict[str, str]) -> str:
    """The message of the first error, for a toast."""
    return next(iter(errors.values()))


def _blank_is_none(values: dict, *names: str) -> dict:
    """Form fields left empty mean "not set"."""
    return {k: v for k, v in values.items() if not (k in names and v == "")}


def _safe_next(value: str, base: str) -> str | None:
    """A same-dashboard address to return to after an action, or None."""
    return value if value.startswith(base + "/") and "//" not in value and "\\" not in value else None


def time_left(expires_at: datetime, now: datetime) -> str:
    """How long a booking still holds its apartment, as people read it."""
    seconds = int((expires_at - now).total_seconds())
    if seconds <= 0:
        return gettext("expired")
    days, rest = divmod(seconds, 86400)
    hours, minutes = rest // 3600, rest % 3600 // 60
    if days:
        return gettext("%(days)s d %(hours)s h", days=days, hours=hours)
    if hours:
        return gettext("%(hours)s h %(minutes)s min", hours=hours, minutes=minutes)
    return gettext("%(minutes)s min", minutes=max(minutes, 1))


def _person(user) -> str:
    """A staff member's name for the timeline."""
    return user.display_name if user is not None else ""


def comment_item(note) -> dict:
    """A comment as a timeline entry."""
    return {"kind": "comment", "at": note.at, "who": _person(note.author), "text": note.text}


def timeline(story: dict, lead_bookings: list, lead_contracts: list) -> list[dict]:
    """Comments, status changes, requests, bookings and contracts merged, newest first."""
    items = [comment_item(note) for note in story["comments"]]
    items += [
        {
            "kind": "status",
            "at": c.at,
            "who": _person(c.by),
            "from_status": c.from_status,
            "to_status": c.to_status,
            "reason": c.reason,
        }
        for c in story["changes"]
    ]
    items += [
        {
            "kind": "request",
            "at": t.at,
            "source": t.source,
            "message": t.message,
            "utm": t.utm_source,
            "complex_id": t.complex_id,
        }
        for t in story["touches"]
    ]
    for booking in lead_bookings:
        items.append(
            {"kind": "booking", "at": booking.created_at, "booking": booking, "who": _person(booking.salesperson)}
        )
        if booking.ended_at is not None:
            items.append({"kind": "booking_end", "at": booking.ended_at, "booking": booking})
    items += [{"kind": "contract", "at": c.signed_at, "contract": c} for c in lead_contracts]
    items.sort(key=lambda item: item["at"], reverse=True)
    return items


def _picker(db, all_complexes: list, complex_id: int | None, building_id: int | None) -> dict:
    """Complex -> building -> free apartment choices of the booking form."""
    chosen = next((c for c in all_complexes if c.id == complex_id), None) or next(
        (c for c in all_complexes if c.buildings), None
    )
    building_ids = [b.id for b in chosen.buildings] if chosen else []
    if building_id not in building_ids:
        building_id = building_ids[0] if building_ids else None
    free = []
    if building_id:
        f = ApartmentFilter(building_id=building_id, status=ApartmentStatus.FREE, page_size=OPTION_LIMIT)
        free = apartments.page(db, f).items
    return {"complexes": all_complexes, "complex": chosen, "building_id": building_id, "free": free}


def _lead_page(request: Request, db, lead: Lead, role: Role, status_code: int = 200, **extra) -> Response:
    """The lead page: header, actions, bookings, contracts and the merged timeline."""
    story = pipeline.timeline(db, lead)
    lead_bookings = bookings.for_lead(db, lead.id)
    lead_contracts = contracts.for_lead(db, lead.id)
    all_complexes = complexes.all(db)
    may_book = has_permission(role, P.BOOKINGS_WRITE)
    bookable = lead.status in BOOKABLE_LEAD_STATUSES
    context = {
        "lead": lead,
        "base": f"/dashboard/{role.value}",
        "now": clock.now(),
        "time_left": time_left,
        "timeline": timeline(story, lead_bookings, lead_contracts),
        "bookings": lead_bookings,
        "contracts": lead_contracts,
        "complex_names": {c.id: c.name for c in all_complexes},
        "transitions": LEAD_TRANSITIONS[lead.status.value],
        "may_book": may_book,
        "bookable": bookable,
        "picker": _picker(db, all_complexes, lead.complex_id, None) if may_book and bookable else None,
        "booking_hours": get_settings(request).booking_hours,
        "status_errors": {},
        "status_values": {},
        "edit_errors": {},
        "edit_values": None,
        "comment_errors": {},
        "book_errors": {},
        "ext_errors": {},
        "ext_values": {},
        "note": request.query_params.get("note", ""),
        **extra,
    }
    return render(request, "features/leads/lead.html", context, status_code=status_code)


def _board(request: Request, db, user, f: LeadFilter, base: str) -> list[dict]:
    """The kanban columns with what the template shows: label, counts, "more" link."""
    columns = []
    for column in kanban_columns(db, user, f, request):
        status = column.status.value
        pages = max(1, math.ceil(column.total / column.page_size))
        more = None
        if column.page < pages:
            more = f"{base}/kanban?" + query_with(f, column=status, **{f"page_{status}": column.page + 1})
        columns.append(
            {
                "status": status,
                "label": LEAD_STATUS_LABELS[status],
                "total": column.total,
                "page": column.page,
                "pages": pages,
                "leads": column.items,
                "more_url": more,
                "remaining": max(0, column.total - column.page * column.page_size),
                "first_url": f"{base}/kanban?" + query_with(f) if column.page > 1 else None,
            }
        )
    return columns


# --- routes --------------------------------------------------------------------------------


def html_routes(role: Role) -> APIRouter:
    """The pipeline pages a role may use, by its permissions (the JSON twin's rule)."""
    router = APIRouter()
    base = f"/dashboard/{role.value}"
    if has_permission(role, P.LEADS_WRITE):
        _lead_work_pages(router, role, base)
    if has_permission(role, P.BOOKINGS_READ):
        _bookings_pages(router, role, base)
    return router


def _lead_work_pages(router: APIRouter, role: Role, base: str) -> None:
    @router.get("/kanban")
    def kanban_page(
        request: Request,
        db: DbSession,
        user: CurrentUser,
        f: Annotated[LeadFilter, Query()],
        column: LeadStatus | None = None,
    ):
        """The board; HTMX gets the board, or one column's next page (`column` and `page_<status>`)."""
        columns = _board(request, db, user, f, base)
        context = {"columns": columns, "f": f, "base": base, "now": clock.now(), "complexes": complexes.all(db)}
        context["complex_names"] = {c.id: c.name for c in context["complexes"]}
        if column is not None:
            context["column"] = next(c for c in columns if c["status"] == column.value)
            return render(request, "features/kanban/kanban.html", context, block="column_items")
        return render(request, "features/kanban/kanban.html", context, block="board")

    @router.get("/callbacks")
    def callbacks_page(request: Request, db: DbSession, user: CurrentUser, when: CallbackWhen = CallbackWhen.DUE):
        """Open leads whose callback falls in `when` (default overdue and today), earliest first."""
        due = pipeline.callbacks(db, user, when)
        context = {"leads": due, "base": base, "now": clock.now(), "when": when}
        return render(request, "features/callbacks/callbacks.html", context)

    @router.get("/leads/new")
    def new_lead_page(request: Request, db: DbSession, user: CurrentUser):
        """An empty form for a lead entered by hand."""
        return _new_lead_form(request, db, base, {"source": "manual"}, {})

    @router.post("/leads")
    def create_lead(request: Request, form: PostedForm, db: DbSession, user: CurrentUser):
        """Enter a lead by hand: the new lead, the caller's existing one, or the form with errors."""
        values = _blank_is_none(dict(form), "temperature", "complex_id", "source")
        result, values, errors, status = _submit(db, LeadCreate, values, lambda d: pipeline.create(db, user, d))
        if errors:
            return _new_lead_form(request, db, base, values, errors, status_code=status)
        lead, created = result
        return see_other(f"{base}/leads/{lead.id}?note={'created' if created else 'existed'}")

    @router.get("/leads/{lead_id:int}")
    def lead_page(request: Request, db: DbSession, user: CurrentUser, lead_id: int):
        """One lead with its actions, bookings, contracts and timeline."""
        return _lead_page(request, db, pipeline.get(db, user, lead_id), role)

    @router.post("/leads/{lead_id:int}/status")
    def change_status(request: Request, form: PostedForm, db: DbSession, user: CurrentUser, lead_id: int):
        """Move a lead (`view`: card for the board, row for the list; else back to its page)."""
        lead = pipeline.get(db, user, lead_id)
        values = dict(form)
        view = values.pop("view", "")
        changed, values, errors, status = _submit(
            db, StatusChange, values, lambda d: pipeline.change_status(db, user, lead_id, d)
        )
        htmx = is_htmx(request)
        if errors:
            if htmx:
                return error_response(request, status, _first(errors))
            errors = {("reason" if name == "__all__" else name): message for name, message in errors.items()}
            return _lead_page(request, db, lead, role, status_code=status, status_errors=errors, status_values=values)
        if htmx and view == "card":
            names = {changed.complex_id: changed.complex.name} if changed.complex else {}
            return render(
                request,
                "features/kanban/card.html",
                {"lead": changed, "base": base, "now": clock.now(), "complex_names": names},
            )
        if htmx and view == "row":
            return render(request, "features/leads/row.html", {"lead": changed, "base": base})
        return see_other(f"{base}/leads/{lead_id}?note=status")

    @router.post("/leads/{lead_id:int}/comments")
    def add_comment(request: Request, form: PostedForm, db: DbSession, user: CurrentUser, lead_id: int):
        """Add a note; HTMX gets the new timeline entry."""
        lead = pipeline.get(db, user, lead_id)
        note, _, errors, status = _submit(
            db, CommentCreate, dict(form), lambda d: pipeline.comment(db, user, lead_id, d)
        )
        if errors:
            if is_htmx(request):
                return error_response(request, status, _first(errors))
            return _lead_page(request, db, lead, role, status_code=status, comment_errors=errors)
        if is_htmx(request):
            return render(
                request,
                "features/leads/timeline_item.html",
                {"item": comment_item(note), "base": base},
                status_code=201,
            )
        return see_other(f"{base}/leads/{lead_id}?note=comment")

    @router.post("/leads/{lead_id:int}/edit")
    def edit_lead(request: Request, form: PostedForm, db: DbSession, user: CurrentUser, lead_id: int):
        """Set temperature and next callback (a local time of the company's time zone)."""
        lead = pipeline.get(db, user, lead_id)
        raw = dict(form)
        values = {
            "temperature": raw.get("temperature") or None,
            "next_callback_at": local_to_utc(raw.get("next_callback_at", "")),
        }
        _, _, errors, status = _submit(db, LeadEdit, values, lambda d: pipeline.edit(db, user, lead_id, d))
        if errors:
            return _lead_page(request, db, lead, role, status_code=status, edit_errors=errors, edit_values=raw)
        return see_other(f"{base}/leads/{lead_id}?note=saved")


def _new_lead_form(request: Request, db, base: str, values: dict, errors: dict, status_code: int = 200) -> Response:
    """The new-lead form with its values and errors."""
    context = {"values": values, "errors": errors, "complexes": complexes.all(db), "base": base}
    return render(request, "features/leads/new.html", context, status_code=status_code)


def _bookings_pages(router: APIRouter, role: Role, base: str) -> None:
    @router.get("/bookings")
    def bookings_page(request: Request, db: DbSession, user: CurrentUser, f: Annotated[BookingFilter, Query()]):
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

    if not has_permission(role, P.BOOKINGS_WRITE):
        return

    @router.post("/bookings")
    def create_booking(request: Request, form: PostedForm, db: DbSession, user: CurrentUser):
        """Book a free apartment for a lead: back to the lead, or the form with "not free any more"."""
        hours = get_settings(request).booking_hours
        values = _blank_is_none(dict(form), "hours")
        booking, values, errors, status = _submit(
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
            }
            return render(request, "features/bookings/form.html", context, status_code=status if errors else 201)
        if booking is not None:
            return see_other(f"{base}/leads/{booking.lead_id}?note=booked")
        lead_id = str(values.get("lead_id", ""))
        try:
            lead = pipeline.get(db, user, int(lead_id)) if lead_id.isdigit() else None
        except NotFound:
            lead = None
        if lead is None:
            return error_response(request, status, _first(errors))
        return _lead_page(request, db, lead, role, status_code=status, book_errors=errors)

    @router.get("/bookings/picker")
    def booking_picker(request: Request, db: DbSession, complex_id: str = "", building_id: str = ""):
        """The complex -> building -> free apartment selects of the booking form (HTMX)."""
        picker = _picker(
            db,
            complexes.all(db),
            int(complex_id) if complex_id.isdigit() else None,
            int(building_id) if building_id.isdigit() else None,
        )
        return render(request, "features/bookings/picker.html", {"picker": picker, "base": base})

    @router.get("/leads/options")
    def lead_options(request: Request, db: DbSession, user: CurrentUser, apartment_id: str = "", selected: str = ""):
        """<option>s of the caller's open leads for the apartment card's booking form."""
        f = LeadFilter(sort="-last_touch_at", page_size=OPTION_LIMIT)
        query = leads.query(user, f).where(Lead.status.in_(BOOKABLE_LEAD_STATUSES))
        options = list(db.scalars(query.limit(OPTION_LIMIT)).unique())
        return render(
            request,
            "features/bookings/lead_options.html",
            {
                "leads": options,
                "apartment_id": int(apartment_id) if apartment_id.isdigit() else None,
                "selected": int(selected) if selected.isdigit() else None,
            },
        )

    @router.post("/bookings/{booking_id:int}/cancel")
    def cancel_booking(request: Request, form: PostedForm, db: DbSession, user: CurrentUser, booking_id: int):
        """Cancel an active booking; the apartment is free again."""
        booking = bookings.get(db, user, booking_id)
        values = dict(form)
        back = _safe_next(values.pop("next", ""), base)
        data, errors = validate_form(BookingCancel, values)
        if data is None:
            return error_response(request, 422, _first(errors))
        bookings.cancel(db, user, booking_id, data.reason)
        return see_other(back or f"{base}/leads/{booking.lead_id}?note=cancelled")

    @router.post("/bookings/{booking_id:int}/extension")
    def request_extension(request: Request, form: PostedForm, db: DbSession, user: CurrentUser, booking_id: int):
        """Ask the MOP for more hours on an active booking."""
        booking = bookings.get(db, user, booking_id)
        values = dict(form)
        back = _safe_next(values.pop("next", ""), base)
        _, values, errors, status = _submit(
            db, ExtensionRequest, values, lambda d: bookings.request_extension(db, user, booking_id, d)
        )
        if not errors:
            return see_other(back or f"{base}/leads/{booking.lead_id}?note=extension")
        try:
            lead = pipeline.get(db, user, booking.lead_id)
        except NotFound:
            return error_response(request, status, _first(errors))
        return _lead_page(
            request,
            db,
            lead,
            role,
            status_code=status,
            ext_errors={booking.id: errors},
            ext_values={booking.id: values},
        )

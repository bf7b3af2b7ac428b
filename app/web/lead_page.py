"""The lead page, shared by the handlers that show it again after an action (leads, bookings).

Comments, status changes, requests, bookings and contracts merged into one timeline; the booking
form's complex -> building -> free apartment picker; how long a booking still holds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.auth.deps import get_settings
from app.auth.models import User
from app.auth.permissions import P, has_permission
from app.core import clock
from app.domain.bookings.crud import BOOKABLE_LEAD_STATUSES, bookings
from app.domain.contracts.crud import contracts
from app.domain.distribution.crud import distribution
from app.domain.inventory.crud import apartments, complexes
from app.domain.inventory.models import ApartmentStatus
from app.domain.inventory.schemas import ApartmentFilter
from app.domain.leads.crud import pipeline
from app.domain.leads.models import Lead, LeadComment
from app.web.feature import dashboard_role
from app.web.i18n import gettext
from app.web.labels import LEAD_TRANSITIONS
from app.web.templating import render

OPTION_LIMIT = 200  # leads offered in the apartment card's select; free apartments in the picker


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


def _person(user: User | None) -> str:
    """A staff member's name for the timeline."""
    return user.display_name if user is not None else ""


def comment_item(note: LeadComment) -> dict:
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
    items += [
        {"kind": "assignment", "at": a.at, "reason": a.reason.value, "to": _person(a.salesperson), "skipped": a.skipped}
        for a in story.get("assignments", [])
    ]
    items.sort(key=lambda item: item["at"], reverse=True)
    return items


def booking_picker(db: Session, all_complexes: list, complex_id: int | None, building_id: int | None) -> dict:
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


def lead_page(request: Request, db: Session, lead: Lead, status_code: int = 200, **extra: Any) -> Response:
    """The lead page: header, actions, bookings, contracts and the merged timeline."""
    role = dashboard_role(request)
    story = pipeline.timeline(db, lead) | {"assignments": distribution.history(db, lead.id)}
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
        "picker": booking_picker(db, all_complexes, lead.complex_id, None) if may_book and bookable else None,
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

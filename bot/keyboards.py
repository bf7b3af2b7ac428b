"""Callback data (ids, never names: within Telegram's 64 bytes) and the inline keyboards."""

from __future__ import annotations

from datetime import date, timedelta

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from app.auth.models import User
from app.core.paging import Page
from app.domain.inventory.models import Apartment, Complex
from app.domain.leads.models import Lead, LeadStatus
from app.domain.leads.rules import MANUAL_TRANSITIONS
from app.domain.telegram.crud import LeadList
from app.web import format as fmt
from app.web.i18n import gettext as _
from app.web.labels import LEAD_STATUS_LABELS

LIST_FILTERS = ("all", LeadStatus.NEW.value, LeadStatus.IN_WORK.value, LeadStatus.BOOKED.value)


class ListCB(CallbackData, prefix="ls"):
    """A page of the lead list under a status filter ("all" for none)."""

    status: str
    page: int


class LeadCB(CallbackData, prefix="ld"):
    """An action on a lead: open, comment, done (callback made), cb1h (in an hour), cbtm (tomorrow 10:00)."""

    action: str
    id: int


class CallbackAtCB(CallbackData, prefix="ca"):
    """Pick a callback time: a day (YYYYMMDD) first, then an hour of it (-1: not chosen yet)."""

    id: int
    day: str
    hour: int = -1


PICK_DAYS = 7  # days offered by "pick a date", today first
PICK_HOURS = (9, 10, 11, 12, 14, 15, 16, 17, 18)


class StatusCB(CallbackData, prefix="st"):
    """Move a lead to a status."""

    id: int
    status: str


def status_label(status: str) -> str:
    """A lead status in the reader's language."""
    return _(LEAD_STATUS_LABELS[status])


def lead_list(page: LeadList, status: str) -> InlineKeyboardMarkup:
    """One button per lead, the status filters and the paging arrows."""
    rows = [
        [InlineKeyboardButton(text=f"{lead.name} · {status_label(lead.status)}", callback_data=_open(lead.id))]
        for lead in page.items
    ]
    filters = []
    for value in LIST_FILTERS:
        label = _("All") if value == "all" else status_label(value)
        mark = "• " if value == status else ""
        filters.append(InlineKeyboardButton(text=mark + label, callback_data=ListCB(status=value, page=1).pack()))
    rows.append(filters)
    paging = []
    if page.page > 1:
        paging.append(InlineKeyboardButton(text="‹", callback_data=ListCB(status=status, page=page.page - 1).pack()))
    if page.page < page.pages:
        paging.append(InlineKeyboardButton(text="›", callback_data=ListCB(status=status, page=page.page + 1).pack()))
    if paging:
        rows.append(paging)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def dashboard_url(base: str, user: User, lead_id: int) -> str:
    """The lead's page in the user's dashboard, or '' while PUBLIC_BASE_URL is not a web address."""
    return f"{base}/dashboard/{user.role.value}/leads/{lead_id}" if base.startswith(("https://", "http://")) else ""


def _cb(action: str, lead_id: int) -> str:
    return LeadCB(action=action, id=lead_id).pack()


def _open(lead_id: int) -> str:
    return LeadCB(action="open", id=lead_id).pack()


def lead_card(lead: Lead, dashboard_url: str) -> InlineKeyboardMarkup:
    """The card's buttons: the allowed status changes, comment, callback times, the dashboard."""
    moves = [
        InlineKeyboardButton(text="→ " + status_label(target), callback_data=StatusCB(id=lead.id, status=target).pack())
        for target in LeadStatus
        if target in MANUAL_TRANSITIONS[lead.status]
    ]
    rows = [moves] if moves else []
    rows.append(
        [InlineKeyboardButton(text=_("Add a comment"), callback_data=LeadCB(action="comment", id=lead.id).pack())]
    )
    rows.append(
        [
            InlineKeyboardButton(
                text=_("Call back in an hour"), callback_data=LeadCB(action="cb1h", id=lead.id).pack()
            ),
            InlineKeyboardButton(text=_("Tomorrow at 10:00"), callback_data=LeadCB(action="cbtm", id=lead.id).pack()),
        ]
    )
    rows.append([InlineKeyboardButton(text=_("Pick a date"), callback_data=LeadCB(action="cbpick", id=lead.id).pack())])
    if dashboard_url:
        rows.append([InlineKeyboardButton(text=_("Open in the dashboard"), url=dashboard_url)])
    rows.append([InlineKeyboardButton(text=_("Back to the list"), callback_data=ListCB(status="all", page=1).pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def pick_day(lead_id: int, first: date) -> InlineKeyboardMarkup:
    """The next PICK_DAYS company days from `first`, then back to the card."""
    days = [first + timedelta(days=n) for n in range(PICK_DAYS)]
    buttons = [
        InlineKeyboardButton(text=fmt.date(day), callback_data=CallbackAtCB(id=lead_id, day=f"{day:%Y%m%d}").pack())
        for day in days
    ]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    rows.append([InlineKeyboardButton(text=_("Back"), callback_data=_open(lead_id))])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def pick_hour(lead_id: int, day: str, hours: list[int]) -> InlineKeyboardMarkup:
    """The hours of the chosen day still ahead, then back to the days."""
    buttons = [
        InlineKeyboardButton(text=f"{hour:02d}:00", callback_data=CallbackAtCB(id=lead_id, day=day, hour=hour).pack())
        for hour in hours
    ]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    rows.append([InlineKeyboardButton(text=_("Back"), callback_data=LeadCB(action="cbpick", id=lead_id).pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def callbacks(due: list[Lead]) -> InlineKeyboardMarkup:
    """Per due callback: open the lead; mark it done; postpone it an hour or to tomorrow."""
    rows = []
    for lead in due:
        rows.append([InlineKeyboardButton(text=lead.name, callback_data=_open(lead.id))])
        rows.append(
            [
                InlineKeyboardButton(text="✓ " + _("Done"), callback_data=LeadCB(action="done", id=lead.id).pack()),
                InlineKeyboardButton(text=_("In an hour"), callback_data=LeadCB(action="cb1h", id=lead.id).pack()),
                InlineKeyboardButton(text=_("Tomorrow at 10:00"), callback_data=_cb("cbtm", lead.id)),
            ]
        )
    return InlineKeyboardMarkup(inline_keyboard=rows)


class FreeComplexCB(CallbackData, prefix="fc"):
    """/free: a complex was chosen; ask for the rooms."""

    complex_id: int


class FreeListCB(CallbackData, prefix="fl"):
    """/free: a page of free apartments of a complex with this many rooms (-1: any)."""

    complex_id: int
    rooms: int
    page: int


class FreeBookCB(CallbackData, prefix="fb"):
    """/free: book this apartment; ask for the lead."""

    apartment_id: int


class FreeLeadCB(CallbackData, prefix="fk"):
    """/free: book the apartment for this lead (row scope checked by the bookings CRUD)."""

    apartment_id: int
    lead_id: int


ROOM_CHOICES = (1, 2, 3, 4)


def free_complexes(found: list[Complex]) -> InlineKeyboardMarkup:
    """One button per complex."""
    rows = [[InlineKeyboardButton(text=c.name, callback_data=FreeComplexCB(complex_id=c.id).pack())] for c in found]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def free_rooms(complex_id: int) -> InlineKeyboardMarkup:
    """Rooms 1-4 and "any"."""
    buttons = [
        InlineKeyboardButton(
            text=_("%(rooms)s-room", rooms=n), callback_data=FreeListCB(complex_id=complex_id, rooms=n, page=1).pack()
        )
        for n in ROOM_CHOICES
    ]
    anything = InlineKeyboardButton(
        text=_("Any number of rooms"), callback_data=FreeListCB(complex_id=complex_id, rooms=-1, page=1).pack()
    )
    return InlineKeyboardMarkup(inline_keyboard=[buttons, [anything]])


def apartment_label(apartment: Apartment, currency: object) -> str:
    """№, floor, area and price of an apartment on one button."""
    return _(
        "No. %(number)s · floor %(floor)s · %(area)s m² · %(price)s",
        number=apartment.number,
        floor=apartment.floor,
        area=fmt.number(apartment.area),
        price=fmt.money(apartment.total_price, currency),
    )


def free_list(page: Page, complex_id: int, rooms: int, currency: object) -> InlineKeyboardMarkup:
    """One "book" button per free apartment, paging arrows, back to the rooms."""
    rows = [
        [InlineKeyboardButton(text=apartment_label(a, currency), callback_data=FreeBookCB(apartment_id=a.id).pack())]
        for a in page.items
    ]
    paging = []
    if page.page > 1:
        back = FreeListCB(complex_id=complex_id, rooms=rooms, page=page.page - 1).pack()
        paging.append(InlineKeyboardButton(text="‹", callback_data=back))
    if page.page < page.pages:
        forward = FreeListCB(complex_id=complex_id, rooms=rooms, page=page.page + 1).pack()
        paging.append(InlineKeyboardButton(text="›", callback_data=forward))
    if paging:
        rows.append(paging)
    rooms_back = FreeComplexCB(complex_id=complex_id).pack()
    rows.append([InlineKeyboardButton(text=_("Other rooms"), callback_data=rooms_back)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def free_leads(apartment_id: int, options: list[Lead]) -> InlineKeyboardMarkup:
    """One button per lead the user may book for."""
    rows = [
        [
            InlineKeyboardButton(
                text=f"{lead.name} · {lead.phone}",
                callback_data=FreeLeadCB(apartment_id=apartment_id, lead_id=lead.id).pack(),
            )
        ]
        for lead in options
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)

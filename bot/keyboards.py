"""Callback data (ids, never names: within Telegram's 64 bytes) and the inline keyboards."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from app.domain.leads.models import Lead, LeadStatus
from app.domain.leads.rules import MANUAL_TRANSITIONS
from app.domain.telegram.crud import LeadList
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
    if dashboard_url:
        rows.append([InlineKeyboardButton(text=_("Open in the dashboard"), url=dashboard_url)])
    rows.append([InlineKeyboardButton(text=_("Back to the list"), callback_data=ListCB(status="all", page=1).pack())])
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

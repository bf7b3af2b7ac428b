"""The bot's messages that show data: the lead card and the lead list's heading (HTML, escaped)."""

from __future__ import annotations

from html import escape

from app.core import clock
from app.core.paging import Page
from app.domain.leads.models import Lead, LeadComment
from app.domain.telegram.crud import LeadList
from app.web import format as fmt
from app.web.i18n import gettext as _
from app.web.labels import TEMPERATURE_LABELS
from bot.keyboards import status_label


def lead_card(lead: Lead, comments: list[LeadComment]) -> str:
    """Name, phone (Telegram makes it tappable), status, temperature, interest, callback, comments."""
    lines = [f"<b>{escape(lead.name)}</b>", f"📞 {escape(lead.phone)}"]
    lines.append(_("Status: %(status)s", status=status_label(lead.status)))
    temperature = _(TEMPERATURE_LABELS[lead.temperature]) if lead.temperature else "—"
    lines.append(_("Temperature: %(temperature)s", temperature=temperature))
    if lead.complex is not None:
        lines.append(_("Complex: %(name)s", name=escape(lead.complex.name)))
    if lead.apartment is not None:
        lines.append(_("Apartment: %(number)s", number=escape(lead.apartment.number)))
    callback = fmt.datetime(lead.next_callback_at) if lead.next_callback_at else "—"
    lines.append(_("Next callback: %(when)s", when=callback))
    if comments:
        lines.append("")
        lines.append(_("Last comments:"))
        for note in comments:
            author = note.author.display_name if note.author else "—"
            lines.append(f"— {escape(note.text)} <i>({escape(author)}, {fmt.datetime(note.at)})</i>")
    return "\n".join(lines)


def lead_list(page: LeadList) -> str:
    """The heading of a page of the lead list."""
    if not page.total:
        return _("No leads here yet.")
    return _("Your leads: %(total)s. Page %(page)s of %(pages)s.", total=page.total, page=page.page, pages=page.pages)


def callbacks(due: list[Lead]) -> str:
    """Today's and overdue callbacks, earliest first, the overdue ones marked."""
    if not due:
        return _("No callbacks due today.")
    now = clock.now()
    lines = [_("Callbacks for today and overdue:")]
    for lead in due:
        mark = "⚠️ " if lead.next_callback_at < now else ""
        lines.append(f"{mark}{fmt.datetime(lead.next_callback_at)} — {escape(lead.name)}, {escape(lead.phone)}")
    return "\n".join(lines)


def free_list(complex_name: str, page: Page) -> str:
    """The heading of a page of free apartments."""
    if not page.total:
        return _("%(complex)s: no free apartments like this.", complex=escape(complex_name))
    return _(
        "%(complex)s: %(total)s free. Page %(page)s of %(pages)s.",
        complex=escape(complex_name),
        total=page.total,
        page=page.page,
        pages=page.pages,
    )

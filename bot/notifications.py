"""What the bot sends on its own: the text and buttons of each notification kind, and one plain
Bot API call to send it (the Celery jobs in tasks/notify.py decide when and whether).

Each builder checks that there is still something to say to the recipient (the lead is still
theirs, the callback still at the announced time, the booking still active) and answers None
otherwise. The lead card and its buttons are the bot's own (bot/texts.py, bot/keyboards.py).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date
from html import escape
from urllib.parse import urlencode

from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core import clock
from app.core.errors import AppError
from app.domain.bookings.crud import bookings
from app.domain.bookings.models import Booking, BookingStatus
from app.domain.leads.crud import pipeline
from app.domain.leads.models import Lead
from app.domain.leads.rules import OPEN_STATUSES
from app.domain.notify.crud import CALLBACK_LATE, notify
from app.domain.notify.rules import due_key
from app.domain.telegram.crud import telegram
from app.web import format as fmt
from app.web.i18n import gettext as _
from bot import keyboards, texts

SEND_TIMEOUT = 15


@dataclass(frozen=True)
class Outgoing:
    """A message to send: HTML text and optional inline buttons."""

    text: str
    markup: InlineKeyboardMarkup | None = None


class TelegramRefused(Exception):
    """The Bot API did not take the message: HTTP status (0: no answer), its words, retry_after."""

    def __init__(self, status: int, description: str, retry_after: float | None = None) -> None:
        super().__init__(f"{status} {description}")
        self.status, self.description, self.retry_after = status, description, retry_after


def send_message(api_base: str, token: str, chat_id: int, message: Outgoing) -> None:
    """sendMessage to `chat_id`; raises TelegramRefused for any answer but ok."""
    fields: dict[str, object] = {"chat_id": chat_id, "text": message.text, "parse_mode": "HTML"}
    if message.markup is not None:
        fields["reply_markup"] = message.markup.model_dump_json(exclude_none=True)
    request = urllib.request.Request(  # noqa: S310 - the configured Bot API server (https or the local stand-in)
        f"{api_base}/bot{token}/sendMessage",
        data=urlencode(fields).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=SEND_TIMEOUT) as answer:  # noqa: S310
            answer.read()
    except urllib.error.HTTPError as exc:
        try:
            body = json.loads(exc.read() or b"{}")
        except ValueError:
            body = {}
        retry_after = (body.get("parameters") or {}).get("retry_after")
        raise TelegramRefused(exc.code, str(body.get("description", exc.reason)), retry_after) from None
    except (urllib.error.URLError, OSError) as exc:
        raise TelegramRefused(0, str(exc)) from None


def _lead(db: Session, recipient: User, lead_id: int) -> Lead | None:
    try:
        lead = pipeline.get(db, recipient, lead_id)
    except AppError:
        return None
    return lead if lead.assigned_id == recipient.id else None


def _booking(db: Session, recipient: User, booking_id: int) -> Booking | None:
    try:
        booking = bookings.get(db, recipient, booking_id)
    except AppError:
        return None
    return booking if booking.salesperson_id == recipient.id else None


def _apartment(booking: Booking) -> str:
    apartment = booking.apartment
    return _(
        "apartment No. %(number)s, %(complex)s",
        number=escape(apartment.number),
        complex=escape(apartment.building.complex.name),
    )


def new_lead(db: Session, recipient: User, lead_id: int, _key: str, base_url: str) -> Outgoing | None:
    """A lead given to the recipient: the bot's lead card with its buttons."""
    lead = _lead(db, recipient, lead_id)
    if lead is None:
        return None
    card = texts.lead_card(lead, telegram.last_comments(db, lead))
    markup = keyboards.lead_card(lead, keyboards.dashboard_url(base_url, recipient, lead.id))
    return Outgoing(_("🆕 A new lead for you") + "\n\n" + card, markup)


def callback_due(db: Session, recipient: User, lead_id: int, key: str, _base_url: str) -> Outgoing | None:
    """A callback within 15 minutes: who, their phone, when; done and postpone buttons."""
    lead = _lead(db, recipient, lead_id)
    if lead is None or lead.status not in OPEN_STATUSES or lead.next_callback_at is None:
        return None
    if due_key(lead.next_callback_at) != key or lead.next_callback_at <= clock.now() - CALLBACK_LATE:
        return None  # moved, done, or long past (the digest counts it)
    text = _(
        "⏰ Call back at %(time)s: %(name)s, %(phone)s",
        time=fmt.time(lead.next_callback_at),
        name=f"<b>{escape(lead.name)}</b>",
        phone=escape(lead.phone),
    )
    return Outgoing(text, keyboards.callbacks([lead]))


def booking_expiring(db: Session, recipient: User, booking_id: int, key: str, _base_url: str) -> Outgoing | None:
    """A booking of the recipient that runs out within 6 hours."""
    booking = _booking(db, recipient, booking_id)
    if booking is None or booking.status != BookingStatus.ACTIVE or due_key(booking.expires_at) != key:
        return None
    if booking.expires_at <= clock.now():
        return None
    text = _(
        "⌛ The booking of %(apartment)s for %(client)s runs out at %(when)s. Ask the MOP to extend it or "
        "make the contract.",
        apartment=_apartment(booking),
        client=f"<b>{escape(booking.lead.name)}</b>",
        when=fmt.datetime(booking.expires_at),
    )
    return Outgoing(text)


def extension_decision(db: Session, recipient: User, booking_id: int, key: str, _base_url: str) -> Outgoing | None:
    """The MOP's decision on the recipient's extension request."""
    booking = _booking(db, recipient, booking_id)
    if booking is None:
        return None
    if key.startswith("approved:"):
        text = _(
            "✅ The extension is approved: the booking of %(apartment)s holds until %(when)s.",
            apartment=_apartment(booking),
            when=fmt.datetime(booking.expires_at),
        )
    else:
        text = _(
            "❌ The extension is rejected: the booking of %(apartment)s runs out at %(when)s.",
            apartment=_apartment(booking),
            when=fmt.datetime(booking.expires_at),
        )
    return Outgoing(text)


def overdue_digest(db: Session, recipient: User, _object_id: int, key: str, _base_url: str) -> Outgoing | None:
    """The MOP's morning digest: overdue callbacks per salesperson (nothing when there are none)."""
    rows = notify.overdue_by_salesperson(db)
    if not rows:
        return None
    lines = [_("📋 Overdue callbacks on %(day)s:", day=fmt.date(date.fromisoformat(key)))]
    for row in rows:
        lines.append(
            _(
                "— %(name)s: %(count)s, the oldest since %(when)s",
                name=escape(row.name),
                count=row.count,
                when=fmt.datetime(row.oldest),
            )
        )
    lines.append(_("Total: %(count)s", count=sum(r.count for r in rows)))
    return Outgoing("\n".join(lines))

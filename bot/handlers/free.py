"""/free: free apartments of a complex by rooms (the inventory's own query), and booking one for a lead."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.permissions import P, can
from app.core.errors import Forbidden
from app.domain.bookings.crud import bookings
from app.domain.bookings.schemas import BookingCreate
from app.domain.inventory.crud import apartments, complexes
from app.domain.inventory.models import ApartmentStatus
from app.domain.inventory.schemas import ApartmentFilter
from app.web import format as fmt
from app.web.i18n import gettext as _
from bot import keyboards, texts
from bot.keyboards import FreeBookCB, FreeComplexCB, FreeLeadCB, FreeListCB

PAGE_SIZE = 5
LEAD_CHOICES = 8


def _may_browse(user: User) -> None:
    if not can(user, P.INVENTORY_READ):
        raise Forbidden("You do not have access to apartments.")


def router(booking_hours: int) -> Router:
    """Browsing free apartments and booking one."""
    r = Router(name="free")

    @r.message(Command("free"))
    async def free_command(message: Message, db: Session, user: User) -> None:
        """Choose a complex."""
        _may_browse(user)
        found = complexes.all(db)
        text = _("Choose a complex:") if found else _("There are no complexes yet.")
        await message.answer(text, reply_markup=keyboards.free_complexes(found))

    @r.callback_query(FreeComplexCB.filter())
    async def choose_rooms(query: CallbackQuery, callback_data: FreeComplexCB, db: Session, user: User) -> None:
        """Choose the number of rooms in the complex."""
        _may_browse(user)
        chosen = complexes.get(db, callback_data.complex_id)
        text = _("%(complex)s: how many rooms?", complex=chosen.name)
        await query.message.edit_text(text, reply_markup=keyboards.free_rooms(chosen.id))
        await query.answer()

    @r.callback_query(FreeListCB.filter())
    async def free_list(query: CallbackQuery, callback_data: FreeListCB, db: Session, user: User) -> None:
        """A page of free apartments, the same query as the staff apartment list."""
        _may_browse(user)
        chosen = complexes.get(db, callback_data.complex_id)
        rooms = None if callback_data.rooms < 0 else callback_data.rooms
        f = ApartmentFilter(
            complex_id=chosen.id,
            rooms=rooms,
            status=ApartmentStatus.FREE,
            sort="price",
            page=max(callback_data.page, 1),
            page_size=PAGE_SIZE,
        )
        page = apartments.page(db, f)
        text = texts.free_list(chosen.name, page)
        markup = keyboards.free_list(page, chosen.id, callback_data.rooms, chosen.currency)
        await query.message.edit_text(text, reply_markup=markup)
        await query.answer()

    @r.callback_query(FreeBookCB.filter())
    async def choose_lead(query: CallbackQuery, callback_data: FreeBookCB, db: Session, user: User) -> None:
        """Which of the user's own leads the apartment is booked for."""
        if not can(user, P.BOOKINGS_WRITE):
            raise Forbidden("You cannot book apartments.")
        apartment = apartments.get(db, callback_data.apartment_id)
        options = bookings.lead_options(db, user, LEAD_CHOICES)
        if not options:
            await query.answer(_("You have no leads to book for."), show_alert=True)
            return
        text = _("Apartment %(number)s: book it for which lead?", number=apartment.number)
        await query.message.edit_text(text, reply_markup=keyboards.free_leads(apartment.id, options))
        await query.answer()

    @r.callback_query(FreeLeadCB.filter())
    async def book(query: CallbackQuery, callback_data: FreeLeadCB, db: Session, user: User) -> None:
        """Book through the web's CRUD (its rules and race safety); a taken flat is answered by the middleware."""
        data = BookingCreate(apartment_id=callback_data.apartment_id, lead_id=callback_data.lead_id)
        booking = bookings.create(db, user, data, booking_hours)
        apartment = apartments.get(db, booking.apartment_id)
        text = _(
            "Apartment %(number)s is booked until %(when)s.",
            number=apartment.number,
            when=fmt.datetime(booking.expires_at),
        )
        await query.message.edit_text(text)
        await query.answer(_("Booked."))

    return r

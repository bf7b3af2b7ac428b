"""/newlead: the name, then the phone (FSM); one lead per phone exactly as on the web."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlalchemy.orm import Session

from app.auth.models import User
from app.domain.leads.crud import pipeline
from app.domain.leads.schemas import LeadCreate
from app.domain.telegram.crud import telegram
from app.web.forms import validate_form
from app.web.i18n import gettext as _
from bot import keyboards, texts
from bot.states import NewLead


def router(public_base_url: str) -> Router:
    """Adding a lead from the chat."""
    r = Router(name="newlead")

    @r.message(Command("newlead"))
    async def start(message: Message, user: User, state: FSMContext) -> None:
        """Ask for the name."""
        await state.set_state(NewLead.name)
        await message.answer(_("The new lead's name?"))

    @r.message(NewLead.name, F.text)
    async def name(message: Message, state: FSMContext) -> None:
        """Keep the name, ask for the phone."""
        data, errors = validate_form(LeadCreate, {"name": message.text, "phone": "+998901234567"})
        if data is None and "name" in errors:
            await message.answer(errors["name"])
            return
        await state.update_data(name=message.text)
        await state.set_state(NewLead.phone)
        await message.answer(_("The phone number?"))

    @r.message(NewLead.phone, F.text)
    async def phone(message: Message, db: Session, user: User, state: FSMContext) -> None:
        """Create the lead (or show the caller's own lead of that phone)."""
        name = (await state.get_data())["name"]
        data, errors = validate_form(LeadCreate, {"name": name, "phone": message.text})
        if data is None:
            await message.answer(next(iter(errors.values())))
            return
        lead, created = pipeline.create(db, user, data)
        await state.clear()
        lead = pipeline.get(db, user, lead.id)
        heading = _("Lead added.") if created else _("You already have a lead with this phone.")
        base = public_base_url if public_base_url.startswith(("https://", "http://")) else ""
        url = f"{base}/dashboard/{user.role.value}/leads/{lead.id}" if base else ""
        text = texts.lead_card(lead, telegram.last_comments(db, lead))
        await message.answer(heading + "\n\n" + text, reply_markup=keyboards.lead_card(lead, url))

    return r

"""/leads: the salesperson's leads (row scope as on the web) and the lead card with its actions."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core import clock
from app.core.errors import NotFound
from app.domain.leads.crud import pipeline
from app.domain.leads.models import LeadStatus
from app.domain.leads.schemas import CallbackWhen, CommentCreate, LeadEdit, StatusChange
from app.domain.telegram.crud import telegram
from app.web import format as fmt
from app.web.forms import validate_form
from app.web.i18n import gettext as _
from bot import keyboards, texts
from bot.states import LeadForm


def _status(value: str) -> LeadStatus | None:
    try:
        return None if value == "all" else LeadStatus(value)
    except ValueError:
        raise NotFound("Lead not found.") from None


def _picked_day(value: str) -> date | None:
    """A YYYYMMDD from a button, None when outside the days offered (a stale button); NotFound when forged."""
    try:
        day = datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise NotFound("Lead not found.") from None
    return day if clock.today() <= day < clock.today() + timedelta(days=keyboards.PICK_DAYS) else None


def _at(day: date, hour: int) -> datetime:
    return clock.from_local(datetime.combine(day, time(hour, 0)))


def router(public_base_url: str) -> Router:
    """The lead list, the card, status changes, comments and callback times."""
    r = Router(name="leads")

    async def show_list(db: Session, user: User, status: str, page: int) -> tuple[str, object]:
        listing = telegram.lead_list(db, user, _status(status), page)
        return texts.lead_list(listing), keyboards.lead_list(listing, status)

    async def show_card(db: Session, user: User, lead_id: int) -> tuple[str, object]:
        lead = pipeline.get(db, user, lead_id)
        text = texts.lead_card(lead, telegram.last_comments(db, lead))
        return text, keyboards.lead_card(lead, keyboards.dashboard_url(public_base_url, user, lead.id))

    @r.message(Command("leads"))
    async def leads_command(message: Message, db: Session, user: User, state: FSMContext) -> None:
        """The first page of the user's leads."""
        await state.clear()
        text, markup = await show_list(db, user, "all", 1)
        await message.answer(text, reply_markup=markup)

    @r.callback_query(keyboards.ListCB.filter())
    async def list_page(query: CallbackQuery, callback_data: keyboards.ListCB, db: Session, user: User) -> None:
        """Another page or filter of the list, in place."""
        text, markup = await show_list(db, user, callback_data.status, callback_data.page)
        await query.message.edit_text(text, reply_markup=markup)
        await query.answer()

    @r.callback_query(keyboards.LeadCB.filter(F.action == "open"))
    async def open_card(query: CallbackQuery, callback_data: keyboards.LeadCB, db: Session, user: User) -> None:
        """The lead card (NotFound for a lead the user may not see, as on the web)."""
        text, markup = await show_card(db, user, callback_data.id)
        await query.message.edit_text(text, reply_markup=markup)
        await query.answer()

    @r.callback_query(keyboards.StatusCB.filter())
    async def change_status(
        query: CallbackQuery, callback_data: keyboards.StatusCB, db: Session, user: User, state: FSMContext
    ) -> None:
        """Move the lead; "lost" first asks for the reason."""
        target = _status(callback_data.status)
        if target is None:
            raise NotFound("Lead not found.")
        if target == LeadStatus.LOST:
            pipeline.get(db, user, callback_data.id)  # the lead must be visible before we ask
            await state.set_state(LeadForm.lost_reason)
            await state.update_data(lead_id=callback_data.id)
            await query.message.answer(_("Why is the lead lost? Send the reason."))
            await query.answer()
            return
        pipeline.change_status(db, user, callback_data.id, StatusChange(status=target))
        text, markup = await show_card(db, user, callback_data.id)
        await query.message.edit_text(text, reply_markup=markup)
        await query.answer(_("Status changed."))

    @r.callback_query(keyboards.LeadCB.filter(F.action == "comment"))
    async def ask_comment(
        query: CallbackQuery, callback_data: keyboards.LeadCB, db: Session, user: User, state: FSMContext
    ) -> None:
        """The next message becomes a comment on the lead."""
        pipeline.get(db, user, callback_data.id)
        await state.set_state(LeadForm.comment)
        await state.update_data(lead_id=callback_data.id)
        await query.message.answer(_("Send the comment."))
        await query.answer()

    @r.message(Command("callbacks"))
    async def callbacks_command(message: Message, db: Session, user: User, state: FSMContext) -> None:
        """Today's and overdue callbacks with done and postpone buttons."""
        await state.clear()
        due = pipeline.callbacks(db, user, CallbackWhen.DUE, limit=20)
        await message.answer(texts.callbacks(due), reply_markup=keyboards.callbacks(due))

    @r.callback_query(keyboards.LeadCB.filter(F.action == "done"))
    async def callback_done(query: CallbackQuery, callback_data: keyboards.LeadCB, db: Session, user: User) -> None:
        """The callback is made: the lead has no callback left until one is set again."""
        lead = pipeline.get(db, user, callback_data.id)
        pipeline.edit(db, user, lead.id, LeadEdit(temperature=lead.temperature, next_callback_at=None))
        text, markup = await show_card(db, user, lead.id)
        await query.message.edit_text(text, reply_markup=markup)
        await query.answer(_("Callback done."))

    @r.callback_query(keyboards.LeadCB.filter(F.action.in_({"cb1h", "cbtm"})))
    async def set_callback(query: CallbackQuery, callback_data: keyboards.LeadCB, db: Session, user: User) -> None:
        """Next callback in an hour, or tomorrow at 10:00 company time."""
        lead = pipeline.get(db, user, callback_data.id)
        if callback_data.action == "cb1h":
            when = clock.now() + timedelta(hours=1)
        else:
            when = clock.from_local(datetime.combine(clock.today() + timedelta(days=1), time(10, 0)))
        pipeline.edit(db, user, lead.id, LeadEdit(temperature=lead.temperature, next_callback_at=when))
        text, markup = await show_card(db, user, lead.id)
        await query.message.edit_text(text, reply_markup=markup)
        await query.answer(_("Callback set."))

    @r.callback_query(keyboards.LeadCB.filter(F.action == "cbpick"))
    async def pick_day(query: CallbackQuery, callback_data: keyboards.LeadCB, db: Session, user: User) -> None:
        """Pick a date: the next days to choose from."""
        lead = pipeline.get(db, user, callback_data.id)
        text = _("When to call %(name)s back? Choose the day.", name=escape(lead.name))
        await query.message.edit_text(text, reply_markup=keyboards.pick_day(lead.id, clock.today()))
        await query.answer()

    @r.callback_query(keyboards.CallbackAtCB.filter())
    async def pick_time(query: CallbackQuery, callback_data: keyboards.CallbackAtCB, db: Session, user: User) -> None:
        """The day chosen: its hours still ahead; an hour chosen: the callback is set."""
        lead = pipeline.get(db, user, callback_data.id)
        day = _picked_day(callback_data.day)
        if day is None:
            await query.answer(_("Choose one of the days offered."), show_alert=True)
            return
        ahead = [h for h in keyboards.PICK_HOURS if _at(day, h) > clock.now()]
        if callback_data.hour == -1 or callback_data.hour not in ahead:
            if not ahead:
                await query.answer(_("This day is over: choose another one."), show_alert=True)
                return
            text = _("Call %(name)s back on %(day)s at:", name=escape(lead.name), day=fmt.date(day))
            await query.message.edit_text(text, reply_markup=keyboards.pick_hour(lead.id, callback_data.day, ahead))
            await query.answer()
            return
        when = _at(day, callback_data.hour)
        pipeline.edit(db, user, lead.id, LeadEdit(temperature=lead.temperature, next_callback_at=when))
        text, markup = await show_card(db, user, lead.id)
        await query.message.edit_text(text, reply_markup=markup)
        await query.answer(_("Callback set."))

    @r.message(LeadForm.comment, F.text)
    async def save_comment(message: Message, db: Session, user: User, state: FSMContext) -> None:
        """Add the message as a comment and show the card again."""
        lead_id = (await state.get_data())["lead_id"]
        data, errors = validate_form(CommentCreate, {"text": message.text})
        if data is None:
            await message.answer(next(iter(errors.values())))
            return
        pipeline.comment(db, user, lead_id, data)
        await state.clear()
        text, markup = await show_card(db, user, lead_id)
        await message.answer(_("Comment added.") + "\n\n" + text, reply_markup=markup)

    @r.message(LeadForm.lost_reason, F.text)
    async def save_lost(message: Message, db: Session, user: User, state: FSMContext) -> None:
        """Mark the lead lost with the message as the reason."""
        lead_id = (await state.get_data())["lead_id"]
        data, errors = validate_form(StatusChange, {"status": LeadStatus.LOST.value, "reason": message.text})
        if data is None:
            await message.answer(next(iter(errors.values())))
            return
        pipeline.change_status(db, user, lead_id, data)
        await state.clear()
        text, markup = await show_card(db, user, lead_id)
        await message.answer(_("Status changed.") + "\n\n" + text, reply_markup=markup)

    return r

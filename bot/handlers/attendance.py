"""/checkin and /checkout: the same shifts as the button in the dashboard's top bar."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from sqlalchemy.orm import Session

from app.auth.models import User
from app.domain.staff.attendance import attendance
from app.web import format as fmt
from app.web.i18n import gettext as _


def router() -> Router:
    """Checking in and out."""
    r = Router(name="attendance")

    @r.message(Command("checkin"))
    async def check_in(message: Message, db: Session, user: User) -> None:
        """Start a shift now."""
        shift = attendance.check_in(db, user)
        await message.answer(_("Checked in at %(time)s.", time=fmt.time(shift.checked_in_at)))

    @r.message(Command("checkout"))
    async def check_out(message: Message, db: Session, user: User) -> None:
        """End the open shift now."""
        shift = attendance.check_out(db, user)
        await message.answer(_("Checked out at %(time)s.", time=fmt.time(shift.checked_out_at)))

    return r

"""/start <code> links the chat to a staff account; /start greets; /logout unlinks."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core.errors import AppError
from app.domain.telegram.crud import telegram
from app.web.i18n import current_language
from app.web.i18n import gettext as _


def help_text() -> str:
    """What the bot can do."""
    return "\n".join(
        [
            _("Commands:"),
            "/leads — " + _("your leads"),
            "/callbacks — " + _("today's and overdue callbacks"),
            "/newlead — " + _("add a lead"),
            "/free — " + _("free apartments and booking"),
            "/checkin — " + _("start the working day"),
            "/checkout — " + _("end the working day"),
            "/logout — " + _("unlink this chat"),
        ]
    )


def router() -> Router:
    """Linking and unlinking."""
    r = Router(name="start")
    r.message.filter(F.chat.type == "private")

    @r.message(CommandStart(deep_link=True))
    async def start_with_code(message: Message, command: CommandObject, db: Session) -> None:
        """Link this chat to the account whose code it is."""
        try:
            linked = telegram.link(db, message.chat.id, (command.args or "").strip())
        except AppError as exc:  # answered here so the failed attempt stays counted for the throttle
            await message.answer(_(exc.message, **exc.params))
            return
        current_language.set(linked.language)
        await message.answer(
            _("Hello, %(name)s! This chat is linked to your CRM account.", name=linked.display_name)
            + "\n\n"
            + help_text()
        )

    @r.message(CommandStart())
    async def start(message: Message, user: User | None) -> None:
        """Greet a linked user; ask anyone else to link."""
        if user is None:
            await message.answer(_("Link your account first: open your profile in the CRM and press «Link Telegram»."))
            return
        await message.answer(_("Hello, %(name)s!", name=user.display_name) + "\n\n" + help_text())

    @r.message(Command("logout"))
    async def logout(message: Message, db: Session, user: User) -> None:
        """Unlink this chat from the account."""
        telegram.unlink(db, user)
        await message.answer(_("This chat is no longer linked to your CRM account."))

    return r

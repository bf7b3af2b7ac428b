"""Around every update: a database session, the linked user, their language, and errors as replies."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramForbiddenError
from aiogram.types import Chat, TelegramObject, Update
from aiogram.types import User as TgUser
from sqlalchemy.orm import Session

from app.core.errors import AppError
from app.domain.telegram.crud import telegram
from app.web.i18n import LANGUAGES, current_language, translate
from app.web.i18n import gettext as _

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


def is_start(update: Update) -> bool:
    """True for a /start message (linking works before the chat is linked)."""
    text = update.message.text if update.message else None
    return bool(text) and (text == "/start" or text.startswith("/start "))


class BotContext(BaseMiddleware):
    """Give handlers `db` and `user`; stop unlinked chats politely; turn errors into answers.

    The webhook passes its request's session as `db`; polling opens one per update from `sessions`.
    A handler's changes run in a savepoint: when it fails, nothing of it stays.
    """

    def __init__(self, sessions: Callable[[], AbstractContextManager[Session]] | None, default_language: str) -> None:
        self.sessions, self.default_language = sessions, default_language

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        """Run the update's handler with a session and the linked user."""
        if data.get("db") is not None or self.sessions is None:
            return await self._run(handler, event, data, data["db"])
        with self.sessions() as db:
            data["db"] = db
            result = await self._run(handler, event, data, db)
            db.commit()
            return result

    async def _run(self, handler: Handler, event: TelegramObject, data: dict[str, Any], db: Session) -> Any:
        chat: Chat | None = data.get("event_chat")
        sender: TgUser | None = data.get("event_from_user")
        user = telegram.user_for_chat(db, chat.id) if chat is not None and chat.type == "private" else None
        data["user"] = user
        spoken = (sender.language_code or "")[:2] if sender else ""
        language = user.language if user else (spoken if spoken in LANGUAGES else self.default_language)
        token = current_language.set(language)
        try:
            if user is None and isinstance(event, Update) and not is_start(event):
                await self._answer(
                    data["bot"],
                    event,
                    chat,
                    _("Link your account first: open your profile in the CRM and press «Link Telegram»."),
                )
                return None
            if user is not None:
                telegram.set_reachable(db, chat.id, True)
            try:
                with db.begin_nested():
                    return await handler(event, data)
            except AppError as exc:
                await self._answer(data["bot"], event, chat, translate(language, exc.message, **exc.params))
            except TelegramForbiddenError:
                self._unreachable(db, chat)
            return None
        finally:
            current_language.reset(token)

    async def _answer(self, bot: Bot, event: TelegramObject, chat: Chat | None, text: str) -> None:
        """Tell the person: an alert for a button press, a message otherwise."""
        try:
            if isinstance(event, Update) and event.callback_query is not None:
                await bot.answer_callback_query(event.callback_query.id, text=text, show_alert=True)
            elif chat is not None:
                await bot.send_message(chat.id, text)
        except TelegramForbiddenError:
            pass

    @staticmethod
    def _unreachable(db: Session, chat: Chat | None) -> None:
        if chat is not None:
            log.info("telegram chat %s blocked the bot: marked unreachable", chat.id)
            telegram.set_reachable(db, chat.id, False)

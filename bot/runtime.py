"""Building the bot: its Bot API session, the dispatcher with its routers and middleware."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from sqlalchemy.orm import Session

from bot.handlers import attendance, free, leads, newlead, start
from bot.middleware import BotContext
from bot.session import ResilientSession
from settings import Settings
from tasks import notify as _notify_jobs  # noqa: F401 - polling too: assignments made here notify


@dataclass
class BotRuntime:
    """A bot and its dispatcher, built once per process."""

    bot: Bot
    dispatcher: Dispatcher


def build_bot(settings: Settings) -> Bot:
    """A Bot talking to TELEGRAM_API_BASE with retries, sending HTML."""
    return Bot(
        settings.telegram_bot_token,
        session=ResilientSession(settings.telegram_api_base),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def _storage(settings: Settings) -> BaseStorage:
    """Conversation state in Redis when configured (shared by processes), else in memory."""
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(settings.redis_url)
    return MemoryStorage()


def build_dispatcher(
    settings: Settings, sessions: Callable[[], AbstractContextManager[Session]] | None = None
) -> Dispatcher:
    """A dispatcher with fresh routers; `sessions` opens a session per update (polling), else the caller passes `db`."""
    dispatcher = Dispatcher(storage=_storage(settings))
    dispatcher.update.outer_middleware(BotContext(sessions, settings.default_language))
    dispatcher.include_routers(
        start.router(),
        attendance.router(),
        newlead.router(settings.public_base_url),
        leads.router(settings.public_base_url),
        free.router(settings.booking_hours),
    )
    return dispatcher


def build_runtime(
    settings: Settings, sessions: Callable[[], AbstractContextManager[Session]] | None = None
) -> BotRuntime:
    """The bot and its dispatcher for `settings`."""
    return BotRuntime(build_bot(settings), build_dispatcher(settings, sessions))

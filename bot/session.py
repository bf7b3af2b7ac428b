"""The Bot API session: the configured server, retries on 429 (retry_after) and 5xx, loop-safe."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiohttp import ClientSession

log = logging.getLogger(__name__)


class ResilientSession(AiohttpSession):
    """An aiohttp session to `api_base` that waits out 429 and retries 5xx and network errors."""

    def __init__(self, api_base: str, *, attempts: int = 4, max_wait: float = 30.0, backoff: float = 0.5) -> None:
        super().__init__(api=TelegramAPIServer.from_base(api_base))
        self.attempts, self.max_wait, self.backoff = attempts, max_wait, backoff
        self._loop: asyncio.AbstractEventLoop | None = None

    async def create_session(self) -> ClientSession:
        """The aiohttp session of the running event loop (a new one when the loop changed)."""
        loop = asyncio.get_running_loop()
        if self._session is not None and self._loop is not loop:
            self._session = None  # made on another event loop, which cannot drive it
        self._loop = loop
        return await super().create_session()

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        """Call the Bot API; on 429 wait `retry_after`, on 5xx or a network error back off, then retry."""
        for attempt in range(self.attempts):
            last = attempt == self.attempts - 1
            try:
                return await super().make_request(bot, method, timeout)
            except TelegramRetryAfter as exc:
                if last:
                    raise
                log.warning("telegram 429 on %s: waiting %s s", method.__api_method__, exc.retry_after)
                await asyncio.sleep(min(exc.retry_after, self.max_wait))
            except (TelegramServerError, TelegramNetworkError) as exc:
                if last:
                    raise
                log.warning("telegram error on %s: %s; retrying", method.__api_method__, exc)
                await asyncio.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

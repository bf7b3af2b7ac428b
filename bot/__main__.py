"""`python -m bot`: long polling for development (TELEGRAM_MODE=polling)."""

from __future__ import annotations

import asyncio
import logging
import sys

from app.core import clock
from app.db import transaction, write_session_factory
from bot.runtime import build_runtime
from settings import settings


def main() -> int:
    """Poll Telegram for updates until stopped; idle message and exit 0 when no token is set."""
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if not settings.telegram_bot_token:
        print("TELEGRAM_BOT_TOKEN is empty: the bot is off.", file=sys.stderr)
        return 0
    if settings.telegram_mode == "webhook":
        print("TELEGRAM_MODE=webhook: the app serves POST /telegram/webhook; polling is not started.", file=sys.stderr)
        return 0
    clock.use_time_zone(settings.time_zone)
    factory = write_session_factory(settings.database_url)
    runtime = build_runtime(settings, lambda: transaction(factory))

    async def run() -> None:
        await runtime.bot.delete_webhook(drop_pending_updates=False)
        await runtime.dispatcher.start_polling(runtime.bot)

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`python main.py telegram-webhook set|delete|info`: manage the webhook with Telegram."""

from __future__ import annotations

import asyncio

from bot.runtime import build_bot
from settings import Settings


def webhook_url(settings: Settings) -> str:
    """Where Telegram posts updates: PUBLIC_BASE_URL + /telegram/webhook."""
    return f"{settings.public_base_url}/telegram/webhook"


async def _run(settings: Settings, action: str) -> str:
    bot = build_bot(settings)
    try:
        if action == "set":
            await bot.set_webhook(
                webhook_url(settings),
                secret_token=settings.telegram_webhook_secret,
                allowed_updates=["message", "callback_query"],
            )
            return f"webhook set: {webhook_url(settings)}"
        if action == "delete":
            await bot.delete_webhook()
            return "webhook deleted"
        info = await bot.get_webhook_info()
        lines = [f"url: {info.url or '-'}", f"pending updates: {info.pending_update_count}"]
        return "\n".join([*lines, f"last error: {info.last_error_message or '-'}"])
    finally:
        await bot.session.close()


def telegram_webhook(settings: Settings, action: str) -> tuple[int, str]:
    """(exit code, message) of setting, deleting or describing the webhook."""
    if not settings.telegram_bot_token:
        return 1, "error: TELEGRAM_BOT_TOKEN is empty"
    if action == "set" and not settings.public_base_url.startswith("https://"):
        return 1, "error: set PUBLIC_BASE_URL to the https:// address Telegram can reach, e.g. https://crm.example.uz"
    if action == "set" and len(settings.telegram_webhook_secret) < 16:
        return 1, "error: set TELEGRAM_WEBHOOK_SECRET (16+ characters of A-Z, a-z, 0-9, _ or -)"
    return 0, asyncio.run(_run(settings, action))

"""The deep link that carries a link code to the bot."""

from __future__ import annotations

from settings import Settings


def deep_link(settings: Settings, code: str) -> str:
    """https://t.me/<bot username>?start=<code>, or '' while the bot's username is not configured."""
    username = settings.telegram_bot_username
    return f"https://t.me/{username}?start={code}" if username else ""

"""`python main.py telegram-webhook set|delete|info` against the stand-in, and the polling path:
the dispatcher opening a session of its own per update (as `python -m bot` does), in English."""

from __future__ import annotations

import asyncio

from aiogram.types import Update
from sqlalchemy.orm import Session

from app.auth.permissions import Role
from app.db import transaction, write_session_factory
from app.domain.telegram.crud import telegram
from app.migrations import upgrade
from bot.cli import telegram_webhook
from bot.runtime import build_runtime
from tests.bot.conftest import SECRET, TgChat
from tests.factories import make_lead, make_user


def test_webhook_set_delete_info(settings, bot_api):
    assert telegram_webhook(settings, "set") == (0, "webhook set: https://crm.example.uz/telegram/webhook")
    call = bot_api.sent("setWebhook")[-1]
    assert call.params["url"] == "https://crm.example.uz/telegram/webhook" and call.params["secret_token"] == SECRET
    assert telegram_webhook(settings, "delete")[0] == 0 and bot_api.sent("deleteWebhook")
    code, text = telegram_webhook(settings, "info")
    assert code == 0 and "pending updates: 0" in text


def test_webhook_set_needs_a_public_https_address(settings):
    settings.public_base_url = "http://localhost:8000"
    code, text = telegram_webhook(settings, "set")
    assert code == 1 and "PUBLIC_BASE_URL" in text


def test_polling_path_opens_its_own_session_and_speaks_english(settings, bot_api, tmp_path):
    url = f"sqlite:///{tmp_path / 'polling.db'}"
    upgrade(url)
    factory = write_session_factory(url)
    with transaction(factory) as db:
        seller = make_user(db, Role.SALES, language="en")
        make_lead(db, seller, name="Aziz")
        telegram.link(db, 900, telegram.issue_code(db, seller).code)
    runtime = build_runtime(settings, lambda: transaction(factory))
    update = Update.model_validate(TgChat(None, 900, language="en").message("/leads"), context={"bot": runtime.bot})

    async def feed() -> None:
        await runtime.dispatcher.feed_update(runtime.bot, update)
        await runtime.bot.session.close()

    asyncio.run(feed())
    sent = bot_api.sent()[-1]
    assert "Your leads: 1. Page 1 of 1." in sent.text
    assert next(b["text"] for b in sent.buttons()) == "Aziz · New"
    with Session(factory.kw["bind"]) as db:
        assert telegram.user_for_chat(db, 900) is not None


def test_webhook_mode_needs_a_secret_and_the_mode_a_known_name():
    import pytest

    from settings import ConfigError, Settings

    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
        Settings(telegram_bot_token="1:x", telegram_mode="webhook").check()
    with pytest.raises(ConfigError, match="TELEGRAM_MODE"):
        Settings(telegram_mode="push").check()
    Settings(telegram_bot_token="", telegram_mode="webhook").check()  # the bot off: nothing to check

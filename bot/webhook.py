"""POST /telegram/webhook: Telegram's updates in webhook mode, checked, deduplicated, handled."""

from __future__ import annotations

import hmac
import logging

from aiogram.types import Update
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from app.auth.deps import DbSession, get_settings
from app.domain.telegram.crud import telegram
from bot.runtime import BotRuntime, build_runtime

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)


def runtime_of(request: Request) -> BotRuntime:
    """The app's bot and dispatcher, built on first use."""
    state = request.app.state
    if getattr(state, "telegram", None) is None:
        state.telegram = build_runtime(state.settings)
    return state.telegram


def secret_ok(given: str, expected: str) -> bool:
    """True when the header holds the configured secret (compared in constant time)."""
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


@router.post("/telegram/webhook")
async def telegram_webhook(request: Request, db: DbSession) -> Response:
    """Handle one update once: 401 without the right secret, 200 otherwise (also for a repeat)."""
    settings = get_settings(request)
    if not settings.telegram_bot_token:
        return JSONResponse({"detail": "The Telegram bot is off."}, status_code=404)
    if not secret_ok(request.headers.get(SECRET_HEADER, ""), settings.telegram_webhook_secret):
        return JSONResponse({"detail": "Wrong secret token."}, status_code=401)
    runtime = runtime_of(request)
    try:
        update = Update.model_validate(await request.json(), context={"bot": runtime.bot})
    except (ValueError, ValidationError):
        return JSONResponse({"detail": "Not a Telegram update."}, status_code=400)
    if not telegram.first_delivery(db, update.update_id):
        return JSONResponse({"ok": True, "repeat": True})
    db.commit()  # the id stays taken even when handling fails, so a retry does nothing twice
    try:
        await runtime.dispatcher.feed_update(runtime.bot, update, db=db)
    except Exception:  # a bug in a handler must not make Telegram retry the update forever
        log.exception("telegram update %s failed", update.update_id)
        db.rollback()
    return JSONResponse({"ok": True})

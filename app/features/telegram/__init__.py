"""Linking the staff user's Telegram chat to their account (the bot lives in bot/)."""

from app.auth.permissions import P
from app.features.telegram import api, html
from app.web.feature import Feature

feature = Feature("telegram", P.TELEGRAM_LINK, html.router, api.router)

"""Linking a test user's chat directly through the CRUD (the linking tests cover the bot's way)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.auth.models import User
from app.domain.telegram.crud import telegram


def link(db: Session, user: User, chat_id: int) -> None:
    """Link `chat_id` to `user` as /start <code> would."""
    telegram.link(db, chat_id, telegram.issue_code(db, user).code)

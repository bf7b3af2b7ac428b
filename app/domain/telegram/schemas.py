"""What the JSON twin of the Telegram link answers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class LinkCodeRead(BaseModel):
    """A fresh one-time code and the deep link that sends it to the bot."""

    code: str
    deep_link: str
    expires_at: datetime


class LinkStatus(BaseModel):
    """Whether the caller's account has a linked chat."""

    linked: bool
    linked_at: datetime | None = None
    unreachable: bool = False

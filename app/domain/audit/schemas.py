"""Audit log filters and read models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.core.paging import PageParams


class AuditFilter(PageParams):
    """Filters of the audit log page and its JSON twin."""

    entity: str = Field("", max_length=40)
    entity_id: str = Field("", max_length=40)
    action: str = Field("", max_length=40)
    actor_id: int | None = Field(None, ge=1)
    actor: str = Field("", max_length=64)
    date_from: date | None = None
    date_to: date | None = None


class AuditActor(BaseModel):
    """Who made a change."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str


class AuditRead(BaseModel):
    """One audit entry as the API shows it."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    at: datetime
    actor: AuditActor | None
    entity: str
    entity_id: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

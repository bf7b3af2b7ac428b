"""Read models of the dashboards' home data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.auth.permissions import Role
from app.domain.reports.schemas import RopHome


class TeamMember(BaseModel):
    """A colleague as the home page lists them."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    full_name: str
    phone: str
    role: Role


class RecentAction(BaseModel):
    """One of the user's own recent changes."""

    model_config = ConfigDict(from_attributes=True)
    at: datetime
    entity: str
    entity_id: str
    action: str
    names: Any = Field(None, exclude=True)  # the AuditNames loaded with the entry, for its display name


class HomeSummary(BaseModel):
    """What a role's home page shows: counters, the team it works with, recent actions."""

    role: Role
    counters: dict[str, int]
    team: list[TeamMember]
    recent_actions: list[RecentAction]
    rop: RopHome | None = None  # the ROP's home: plan progress and funnel instead of counters

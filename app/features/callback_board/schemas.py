"""Read and write models of the callback board's JSON twin."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.core.types import Id, Input
from app.domain.leads.schemas import LeadRead


class LateCallbackRead(BaseModel):
    """A late callback: the lead, how many minutes late, when last nudged."""

    lead: LeadRead
    late_minutes: int
    nudged_at: datetime | None


class NudgeRead(BaseModel):
    """A reminder sent to a salesperson."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    lead_id: int
    salesperson_id: int
    at: datetime


class Reassign(Input):
    """Give a late lead to another salesperson."""

    salesperson_id: Id = Field(description="an active salesperson")

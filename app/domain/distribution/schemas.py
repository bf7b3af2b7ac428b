"""The distribution settings as the MOP reads and changes them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.core.types import Id, Input
from app.domain.distribution.models import AssignReason, DistributionMode

MAX_WEIGHT = 100
MAX_CAP = 1000


Weight = Annotated[int, Field(ge=0, le=MAX_WEIGHT)]
Cap = Annotated[int, Field(ge=0, le=MAX_CAP)]


class DistributionUpdate(Input):
    """Mode, weights ({user id: 0..100}) and daily caps ({user id: 0..1000, null for none}); each optional."""

    mode: DistributionMode | None = None
    weights: dict[Id, Weight] | None = Field(None, max_length=500)
    daily_cap: dict[Id, Cap | None] | None = Field(None, max_length=500)


class SellerPerson(BaseModel):
    """A salesperson named in the distribution answers."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    full_name: str


class SellerRead(BaseModel):
    """A salesperson on the distribution page."""

    model_config = ConfigDict(from_attributes=True)
    user: SellerPerson
    weight: int
    daily_cap: int | None
    on_shift: bool
    since: datetime | None
    assigned_today: int


class DistributionRead(BaseModel):
    """GET/PUT /api/mop/distribution: {"mode", "weights": {id: n}, "daily_cap": {id: n|null}, ...}."""

    model_config = ConfigDict(from_attributes=True)
    mode: DistributionMode
    weights: dict[int, int]
    daily_cap: dict[int, int | None]
    waiting: int
    sellers: list[SellerRead]


class AssignmentRead(BaseModel):
    """One automatic decision in a lead's history."""

    model_config = ConfigDict(from_attributes=True)
    at: datetime
    reason: AssignReason
    salesperson: SellerPerson | None
    skipped: list[str]

"""Pydantic models of a handover: the form (readings, keys, defects found, the buyer's acceptance) and its record."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from app.core import clock
from app.core.types import Input, Moment
from app.domain.dispatch.models import Acceptance, OrderStatus, Skill
from app.domain.dispatch.schemas import squeezed

MAX_KEYS = 20
MAX_DEFECTS = 20
READINGS = ("electricity", "cold_water", "hot_water", "gas")
Reading = Annotated[Decimal, Field(ge=0, le=Decimal("999999999.999"), decimal_places=3)]
"""A meter reading: 0 .. 999,999,999.999 with at most three decimals (NUMERIC(12, 3))."""


class DefectFound(Input):
    """A defect found at the handover: it becomes a defect order linked to the handover."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=2, max_length=200)
    description: str = Field("", max_length=5000)
    required_skill: Skill

    @field_validator("title", mode="before")
    @classmethod
    def _squeeze(cls, value: object) -> object:
        return squeezed(value)


class HandoverWrite(Input):
    """The handover form: readings (empty for a meter the flat lacks), keys, new defects, the acceptance.

    An acceptance needs the buyer's name; remarks are required when the buyer accepts with remarks
    or refuses; the time defaults to now and is never in the future. `complete` marks the order done
    (only for an accepted handover).
    """

    model_config = ConfigDict(extra="forbid")
    electricity: Reading | None = None
    cold_water: Reading | None = None
    hot_water: Reading | None = None
    gas: Reading | None = None
    keys_count: int = Field(ge=0, le=MAX_KEYS)
    defects: list[DefectFound] = Field(default_factory=list, max_length=MAX_DEFECTS)
    acceptance: Acceptance | None = None
    buyer_name: str = Field("", max_length=200, validate_default=True)
    accepted_at: Moment | None = Field(None, validate_default=True)
    remarks: str = Field("", max_length=5000, validate_default=True)
    complete: bool = Field(False, validate_default=True)

    @field_validator("buyer_name", mode="before")
    @classmethod
    def _squeeze(cls, value: object) -> object:
        return squeezed(value)

    @field_validator("buyer_name")
    @classmethod
    def _named(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("acceptance") and len(value) < 2:
            raise ValueError("Enter the name of the buyer who accepts the apartment.")
        return value

    @field_validator("accepted_at")
    @classmethod
    def _when(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = clock.from_local(value)  # a datetime-local field: the company's wall clock
        if info.data.get("acceptance") and value is None:
            value = clock.now()
        if value is not None and value > clock.now() + timedelta(minutes=5):
            raise ValueError("The handover time cannot be in the future.")
        return value

    @field_validator("remarks")
    @classmethod
    def _remarks(cls, value: str, info: ValidationInfo) -> str:
        value = value.strip()
        needs = info.data.get("acceptance") in (Acceptance.WITH_REMARKS, Acceptance.REFUSED)
        if needs and not value:
            raise ValueError("Write down the buyer's remarks.")
        return value

    @field_validator("complete")
    @classmethod
    def _complete(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("acceptance") not in (Acceptance.ACCEPTED, Acceptance.WITH_REMARKS):
            raise ValueError("Only a handover the buyer accepted can be marked done.")
        return value


class DefectLink(BaseModel):
    """A defect order linked to a handover."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str
    status: OrderStatus
    required_skill: Skill | None


class HandoverRead(BaseModel):
    """What was recorded at a handover order, with the defect orders it raised."""

    model_config = ConfigDict(from_attributes=True)
    work_order_id: int
    order_status: OrderStatus
    electricity: Decimal | None
    cold_water: Decimal | None
    hot_water: Decimal | None
    gas: Decimal | None
    keys_count: int
    acceptance: Acceptance | None
    buyer_name: str
    accepted_at: datetime | None
    remarks: str
    updated_at: datetime
    defects: list[DefectLink] = []

"""Bounded input types: ids, whole numbers, money, dates and text that every backend can store.

`Input` is the base of every model read from a request: each of its fields, whatever its own
type, refuses a NUL character in text, a whole number beyond a 32-bit integer column, a number
beyond NUMERIC(16, 2) and a date or moment outside 2000-2100. `Id`, `Day` and `Money` say the
same for a single parameter (path and query parameters, fields with their own bounds).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from annotated_types import Ge, Le
from pydantic import AfterValidator, BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError

MAX_INT = 2**31 - 1  # PostgreSQL `integer`; SQLite takes up to 2**63 - 1
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
MAX_MONEY = Decimal("99999999999999.99")  # NUMERIC(16, 2)
NUL = "\x00"

Id = Annotated[int, Ge(1), Le(MAX_INT)]
"""A row id in a path, query or body: 1 .. 2**31-1; anything else is a 422, never a 500."""

Int = Annotated[int, Ge(-MAX_INT), Le(MAX_INT)]
"""Any other whole number that reaches the database."""


def _int_in_range(value: int) -> int:
    if not -MAX_INT <= value <= MAX_INT:
        raise PydanticCustomError("less_than_equal", "Must be at most {le}.", {"le": MAX_INT})
    return value


def _shown(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def _day_in_range(value: date) -> date:
    day = value.date() if isinstance(value, datetime) else value
    if day < FIRST_DAY:
        raise PydanticCustomError(
            "date_too_early", "The date must not be before {min}.", {"min": FIRST_DAY.strftime("%d.%m.%Y")}
        )
    if day > LAST_DAY:
        raise PydanticCustomError(
            "date_too_late", "The date must not be after {max}.", {"max": LAST_DAY.strftime("%d.%m.%Y")}
        )
    return value


def _moment_in_range(value: datetime) -> datetime:
    try:
        moment = value if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:  # e.g. 9999-12-31T23:59:59-12:00 is in year 10000 in UTC
        moment = datetime.max if value.year > LAST_DAY.year else datetime.min
    _day_in_range(moment)
    return value


def _no_nul(value: str) -> str:
    if NUL in value:
        raise PydanticCustomError("nul_character", "Text must not contain the NUL character.")
    return value


def _money_in_range(value: Decimal) -> Decimal:
    if not value.is_finite() or abs(value) > MAX_MONEY:
        raise PydanticCustomError("number_too_large", "The number is too large.")
    return value


Day = Annotated[date, AfterValidator(_day_in_range)]
"""A calendar day between 2000-01-01 and 2100-12-31 (filters, due dates, payment days)."""

Moment = Annotated[datetime, AfterValidator(_moment_in_range)]
"""A moment whose day, in UTC, lies between 2000-01-01 and 2100-12-31."""

Text = Annotated[str, AfterValidator(_no_nul)]
"""Text without NUL characters (PostgreSQL cannot store them)."""

Money = Annotated[Decimal, Field(max_digits=16, decimal_places=2)]
"""An amount that fits NUMERIC(16, 2)."""

Rate = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=4)]
"""A currency rate that fits NUMERIC(18, 4)."""


def check_value(value: Any) -> Any:
    """`value` unchanged when every part of it is storable; a pydantic error otherwise."""
    if isinstance(value, str):
        return _no_nul(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return _int_in_range(value)
    if isinstance(value, Decimal):
        return _money_in_range(value)
    if isinstance(value, datetime):
        return _moment_in_range(value)
    if isinstance(value, date):
        return _day_in_range(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            check_value(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_value(key)
            check_value(item)
    return value


class Input(BaseModel):
    """Base of request models: every field is checked by `check_value` after its own validation."""

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        """Refuse NUL text, out-of-range numbers and dates in any field."""
        return check_value(value)

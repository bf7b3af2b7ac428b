"""Query parameters of the attendance pages: a company day and a month (YYYY-MM)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query

from app.core import clock
from app.core.types import Day

MonthParam = Annotated[str | None, Query(pattern=r"^(20\d\d|2100)-(0[1-9]|1[0-2])$", description="YYYY-MM")]
DayParam = Annotated[Day | None, Query(alias="date", description="YYYY-MM-DD, default today")]


def month_of(value: str | None) -> date:
    """The first day of the month `value` names (YYYY-MM), or of this month."""
    if not value:
        return clock.month_start(clock.today())
    year, month = value.split("-")
    return date(int(year), int(month), 1)

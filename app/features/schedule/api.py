"""The JSON twin of the schedule: technicians with their orders between two days."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.auth.deps import CurrentUser, DbSession
from app.domain.dispatch.crud import work_orders
from app.domain.dispatch.schemas import Schedule, SchedulePeriod

router = APIRouter()


@router.get("/schedule", response_model=Schedule)
def schedule(db: DbSession, user: CurrentUser, period: Annotated[SchedulePeriod, Query()]) -> Schedule:
    """Every active technician with their booked orders from `from` to `to` (YYYY-MM-DD, at most 31 days)."""
    return work_orders.schedule(db, user, period)

"""The schedule page: a week of days x technicians with each day's orders, and the unassigned queue."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.deps import CurrentUser, DbSession
from app.core import clock
from app.core.paging import PageParams
from app.domain.dispatch.crud import work_orders
from app.domain.dispatch.schemas import SchedulePeriod
from app.web.feature import DashboardBase
from app.web.templating import render

router = APIRouter()


def _monday(text: str | None) -> date:
    """The Monday of the week holding `text` (YYYY-MM-DD), else of the company's today."""
    try:
        day = date.fromisoformat(text or "")
    except ValueError:
        day = clock.today()
    day = min(max(day, date(2000, 1, 3)), date(2100, 12, 20))
    return day - timedelta(days=day.weekday())


@router.get("/schedule")
def schedule_page(request: Request, db: DbSession, user: CurrentUser, base: DashboardBase) -> Response:
    """One week (Monday to Sunday, `?week=YYYY-MM-DD` picks it): each technician's orders per day, and the queue."""
    start = _monday(request.query_params.get("week"))
    period = SchedulePeriod.model_validate({"from": start, "to": start + timedelta(days=6)})
    board = work_orders.schedule(db, user, period)
    days = [start + timedelta(days=n) for n in range(7)]
    cells = {
        (row.technician.id, day): [o for o in row.orders if clock.local(o.scheduled_start).date() == day]
        for row in board.technicians
        for day in days
    }
    context = {
        "board": board,
        "days": days,
        "cells": cells,
        "queue": work_orders.unassigned(db, user, PageParams(page_size=50)),
        "previous": (start - timedelta(days=7)).isoformat(),
        "next": (start + timedelta(days=7)).isoformat(),
        "base": base,
    }
    return render(request, "features/schedule/week.html", context)

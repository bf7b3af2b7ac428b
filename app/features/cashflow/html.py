"""Cash flow: planned against received money by month, as a chart and a table."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.auth.deps import CurrentUser, DbSession
from app.auth.models import User
from app.core import clock
from app.core.errors import Invalid
from app.core.types import Input
from app.domain.finance.reports import cashflow
from app.domain.finance.schemas import CashflowMonth
from app.domain.inventory.models import Currency
from app.web.export import ExportFormat
from app.web.finance_exports import (
    cashflow_export,
)
from app.web.finance_ui import compact, page_of
from app.web.format import money, month
from app.web.forms import validate_form
from app.web.i18n import gettext

router = APIRouter()


class CashflowQuery(Input):
    """The period and currency of the cash-flow page."""

    date_from: date
    date_to: date
    currency: Currency = Currency.UZS


CHART = {"width": 960, "height": 300, "left": 72, "right": 12, "top": 14, "bottom": 40}


def nice_step(top: float, ticks: int = 4) -> float:
    """A round axis step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` gridlines up to `top`."""
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if raw <= m * power)


def cashflow_chart(months: list[CashflowMonth], currency: Currency) -> dict[str, Any]:
    """The geometry of a plan-vs-fact bar chart: bars with tooltips, y ticks and x labels."""
    c = CHART
    plot_w, plot_h = c["width"] - c["left"] - c["right"], c["height"] - c["top"] - c["bottom"]
    top = max([float(m.plan) for m in months] + [float(m.fact) for m in months] + [0.0])
    step = nice_step(top) if top > 0 else 1.0
    ymax = step * max(1, math.ceil(top / step))
    slot = plot_w / max(len(months), 1)
    bar = max(2.0, min(slot * 0.36, 30.0))
    base_y = c["top"] + plot_h
    years = {m.month[:4] for m in months}
    every = max(1, math.ceil(len(months) / 12))
    bars, labels = [], []
    for index, m in enumerate(months):
        centre = c["left"] + slot * (index + 0.5)
        for kind, value, x in (("plan", m.plan, centre - bar - 1), ("fact", m.fact, centre + 1)):
            height = float(value) / ymax * plot_h
            label = gettext("Plan") if kind == "plan" else gettext("Fact")
            bars.append(
                {
                    "kind": kind,
                    "x": round(x, 1),
                    "y": round(base_y - height, 1),
                    "w": round(bar, 1),
                    "h": round(height, 1),
                    "month": m.month,
                    "title": f"{month(m.month)} · {label}: {money(value, currency)}",
                }
            )
        if index % every == 0:
            labels.append({"x": round(centre, 1), "text": month(m.month, year=len(years) > 1 or every > 1)})
    ticks = []
    value = 0.0
    while value <= ymax + step / 2:
        ticks.append({"y": round(base_y - value / ymax * plot_h, 1), "label": compact(value)})
        value += step
    return {
        **c,
        "plot_w": plot_w,
        "base_y": base_y,
        "bars": bars,
        "labels": labels,
        "ticks": ticks,
        "currency": currency.value,
    }


def cashflow_values(request: Request) -> dict[str, Any]:
    """The period asked for, this year by default, in UZS by default."""
    today = clock.today()
    values = {
        "date_from": date(today.year, 1, 1).isoformat(),
        "date_to": date(today.year, 12, 31).isoformat(),
        "currency": Currency.UZS.value,
    }
    values.update({k: v for k, v in request.query_params.items() if k in values and v})
    return values


def cashflow_months(
    db: Session, user: User, values: dict[str, Any]
) -> tuple[CashflowQuery | None, list, dict[str, str]]:
    """(query, months, {}) for a valid period, else (query or None, [], {field: message})."""
    query, errors = validate_form(CashflowQuery, values)
    if query is None:
        return None, [], errors
    try:
        return query, cashflow(db, user, query.date_from, query.date_to, query.currency), {}
    except Invalid as exc:
        return query, [], {exc.field or "__all__": gettext(exc.message, **exc.params)}


@router.get("/cashflow")
def cashflow_page(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """Planned vs received money per month: a bar chart and the table, in one currency."""
    values = cashflow_values(request)
    query, months, errors = cashflow_months(db, user, values)
    plan = sum((m.plan for m in months), Decimal(0))
    fact = sum((m.fact for m in months), Decimal(0))
    currency = query.currency if query else Currency.UZS
    context = {
        "values": values,
        "errors": errors,
        "months": months,
        "plan": plan,
        "fact": fact,
        "currency": currency.value,
        "chart": cashflow_chart(months, currency) if months else None,
        "export_query": urlencode(values),
    }
    return page_of(
        request, "features/cashflow/cashflow.html", context, block="results", status_code=422 if errors else 200
    )


@router.get("/cashflow/export")
def cashflow_file(request: Request, db: DbSession, user: CurrentUser, format: ExportFormat = "csv") -> Response:
    """Plan vs fact per month of the period as CSV or XLSX."""
    query, months, errors = cashflow_months(db, user, cashflow_values(request))
    if errors or query is None:
        raise Invalid(next(iter(errors.values()), "Check the data you entered"))
    return cashflow_export(months, query.currency, format)

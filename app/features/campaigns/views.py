"""What both twins of the campaigns share: the period of the query (?from=&to=), its export, the labels."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query
from fastapi.responses import Response

from app.core import clock
from app.core.types import Day
from app.domain.marketing.schemas import CampaignReport
from app.web.export import export_response

EXPORT_HEADERS = [
    "campaign",
    "channel",
    "utm_campaign",
    "complex",
    "budget_uzs",
    "spend_uzs",
    "leads",
    "cost_per_lead_uzs",
    "bookings",
    "contracts",
    "cost_per_contract_uzs",
    "conversion_percent",
    "revenue_uzs",
]


def period(
    date_from: Annotated[
        Day | None, Query(alias="from", description="first day (company calendar); this month's first by default")
    ] = None,
    date_to: Annotated[Day | None, Query(alias="to", description="last day, included; today by default")] = None,
) -> tuple[date, date]:
    """The period asked for: this month up to today unless given."""
    today = clock.today()
    start = date_from or clock.month_start(date_to or today)
    return start, date_to or max(today, start)


def optional_period(
    date_from: Annotated[
        Day | None, Query(alias="from", description="first day; the campaign's start by default")
    ] = None,
    date_to: Annotated[Day | None, Query(alias="to", description="last day, included; today by default")] = None,
) -> tuple[date | None, date | None]:
    """The period asked for on a campaign's page, or None where its own period applies."""
    return date_from, date_to


AskedPeriod = Annotated[tuple[date, date], Depends(period)]
CampaignPeriod = Annotated[tuple[date | None, date | None], Depends(optional_period)]


def report_export(report: CampaignReport, fmt: str, no_campaign: str, total: str) -> Response:
    """The comparison as a download: a row per campaign, the leads without one, the sums."""
    rows = [
        (
            row.name or label,
            row.channel.value if row.channel else "",
            row.utm_campaign,
            row.complex or "",
            row.budget,
            row.spend,
            row.leads,
            row.cost_per_lead,
            row.bookings,
            row.contracts,
            row.cost_per_contract,
            row.conversion,
            row.revenue,
        )
        for row, label in [*((r, "") for r in report.items), (report.no_campaign, no_campaign), (report.totals, total)]
    ]
    name = f"campaigns-{report.date_from.isoformat()}-{report.date_to.isoformat()}"
    return export_response(fmt, name, EXPORT_HEADERS, rows)

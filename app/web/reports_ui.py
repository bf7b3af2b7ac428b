"""What the ROP's report pages and home share: chart rows of a funnel in the reader's language."""

from __future__ import annotations

from typing import Any

from app.domain.reports.schemas import Funnel
from app.web.format import number
from app.web.i18n import gettext
from app.web.labels import N_

STAGE_LABELS = {"leads": N_("Leads"), "in_work": N_("In work"), "booked": N_("Booked"), "sold": N_("Sold")}


def stage_rows(report: Funnel) -> list[dict[str, Any]]:
    """The funnel's stages for the chart macro: label, count, conversion from the previous stage."""
    return [
        {"label": gettext(STAGE_LABELS[s.key]), "count": s.count, "conversion": s.conversion} for s in report.stages
    ]


def loss_rows(report: Funnel) -> list[dict[str, Any]]:
    """Loss reasons for the bar chart ("*" is every other reason, "" none given)."""
    rows = []
    for r in report.loss_reasons:
        label = gettext("Other reasons") if r.reason == "*" else (r.reason or gettext("No reason given"))
        rows.append({"label": label, "value": r.count, "text": number(r.count)})
    return rows


def contract_rows(report: Funnel) -> list[dict[str, Any]]:
    """Contracts per salesperson for the bar chart."""
    return [{"label": p.name, "value": p.contracts, "text": number(p.contracts)} for p in report.salespeople]


def funnel_charts(report: Funnel | None) -> dict[str, Any]:
    """The chart rows a funnel page shows (empty without a report)."""
    if report is None:
        return {"stages": [], "reasons": [], "bars": [], "stage_labels": {}}
    return {
        "stages": stage_rows(report),
        "reasons": loss_rows(report),
        "bars": contract_rows(report),
        "stage_labels": {key: gettext(label) for key, label in STAGE_LABELS.items()},
    }

"""Plan vs fact as CSV or XLSX, for the page and its JSON twin alike."""

from __future__ import annotations

from fastapi.responses import Response

from app.domain.reports.schemas import PlanFact
from app.web.export import ExportFormat, export_response
from app.web.i18n import gettext

HEADERS = [
    "salesperson",
    "plan_contracts",
    "fact_contracts",
    "contracts_percent",
    "plan_amount_uzs",
    "fact_amount_uzs",
    "amount_percent",
]


def plan_fact_export(report: PlanFact, fmt: ExportFormat) -> Response:
    """One row per salesperson and the team total."""
    rows = [
        [
            r.name or gettext("Total"),
            *(r.plan_contracts, r.fact_contracts, r.contracts_percent),
            *(r.plan_amount, r.fact_amount, r.amount_percent),
        ]
        for r in [*report.items, report.total]
    ]
    return export_response(fmt, f"plan-fact-{report.month:%Y-%m}", HEADERS, rows)

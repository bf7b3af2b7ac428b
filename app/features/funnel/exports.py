"""The funnel's per-salesperson table as CSV or XLSX, for the page and its JSON twin alike."""

from __future__ import annotations

from fastapi.responses import Response

from app.domain.reports.schemas import Funnel
from app.web.export import ExportFormat, export_response

HEADERS = ["salesperson", "leads", "contracts", "conversion_percent", "average_discount_percent", "overdue_callbacks"]


def funnel_export(report: Funnel, fmt: ExportFormat) -> Response:
    """One row per salesperson."""
    rows = [
        [p.name, p.leads, p.contracts, p.conversion, p.average_discount, p.overdue_callbacks]
        for p in report.salespeople
    ]
    return export_response(fmt, f"kpi-{report.date_from:%Y%m%d}-{report.date_to:%Y%m%d}", HEADERS, rows)

"""The dispatch reports as CSV or XLSX with Russian (the reader's language) headers, for both twins."""

from __future__ import annotations

from fastapi.responses import Response

from app.domain.dispatch.report_schemas import AGE_BUCKETS, PRIORITIES, DefectReport, TechnicianReport
from app.web.export import ExportFormat, export_response
from app.web.i18n import gettext
from app.web.labels import N_

AGE_LABELS = {
    "0_3": N_("0–3 days"),
    "4_7": N_("4–7 days"),
    "8_14": N_("8–14 days"),
    "over_14": N_("Over 14 days"),
}


def technician_headers() -> list[str]:
    """The columns of the technicians report in the reader's language."""
    return [
        gettext("Technician"),
        gettext("Orders done"),
        gettext("Median hours to complete"),
        gettext("Done on time"),
        gettext("On time, percent"),
        gettext("Reopened"),
        gettext("Hours booked"),
        gettext("Hours available"),
        gettext("Utilisation, percent"),
    ]


def technicians_export(report: TechnicianReport, fmt: ExportFormat) -> Response:
    """One line per technician and the team's total."""
    rows = [
        [
            r.name or gettext("Total"),
            *(r.done, r.median_hours, r.on_time, r.on_time_rate, r.reopened),
            *(r.booked_hours, r.available_hours, r.utilisation),
        ]
        for r in [*report.technicians, report.total]
    ]
    name = f"technicians-{report.date_from:%Y%m%d}-{report.date_to:%Y%m%d}"
    return export_response(fmt, name, technician_headers(), rows)


def defect_headers() -> list[str]:
    """The columns of the open defects report in the reader's language."""
    ages = [gettext(AGE_LABELS[key]) for key in AGE_BUCKETS]
    priorities = [gettext("Priority %(n)s", n=n) for n in PRIORITIES]
    return [gettext("Complex"), *ages, *priorities, gettext("Total")]


def defects_export(report: DefectReport, fmt: ExportFormat) -> Response:
    """One line per complex with open defects and the total."""
    rows = [
        [
            r.complex or gettext("Total"),
            *(r.by_age[key] for key in AGE_BUCKETS),
            *(r.by_priority[n] for n in PRIORITIES),
            r.total,
        ]
        for r in [*report.complexes, report.total]
    ]
    return export_response(fmt, f"open-defects-{report.today:%Y%m%d}", defect_headers(), rows)

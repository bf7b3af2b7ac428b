"""The month's attendance table as a CSV or XLSX file."""

from __future__ import annotations

from fastapi.responses import Response

from app.auth.permissions import ROLE_LABELS
from app.domain.staff.attendance import MonthRow
from app.web import format
from app.web.export import export_response
from app.web.i18n import gettext


def month_export(rows: list[MonthRow], month: str, fmt: str) -> Response:
    """One line per person: name, role, days present, hours, late arrivals (and which days), not checked out."""
    headers = [
        gettext("Name"),
        gettext("Role"),
        gettext("Days present"),
        gettext("Hours"),
        gettext("Late arrivals"),
        gettext("Late on"),
        gettext("Not checked out"),
    ]
    lines = (
        (
            r.user.display_name,
            gettext(ROLE_LABELS[r.user.role]),
            r.days_present,
            r.hours,
            r.late_days,
            ", ".join(format.date(d) for d in r.late_dates),
            r.not_checked_out,
        )
        for r in rows
    )
    return export_response(fmt, f"attendance-{month}", headers, lines)

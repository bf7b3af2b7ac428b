"""The expenses list as a CSV or XLSX file (the same filters as the page)."""

from __future__ import annotations

from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core.paging import iterate_all
from app.domain.finance.rates import rates
from app.domain.marketing.crud import expenses, in_uzs
from app.domain.marketing.schemas import ExpenseFilter
from app.web.export import export_response

EXPORT_HEADERS = [
    "id",
    "date",
    "amount",
    "currency",
    "amount_uzs",
    "category",
    "complex",
    "campaign",
    "note",
    "receipt",
]


def expenses_export(db: Session, user: User, f: ExpenseFilter, fmt: str) -> Response:
    """The filtered expenses as a download, each with its sum in UZS at its day's rate."""
    table = rates.table(db)
    rows = (
        (
            e.id,
            e.day,
            e.amount,
            e.currency.value,
            in_uzs(e.amount, e.currency, e.day, table),
            e.category.name,
            e.complex.name if e.complex else "",
            e.campaign.name if e.campaign else "",
            e.note,
            "yes" if e.receipt_path else "",
        )
        for e in iterate_all(db, expenses.query(user, f))
    )
    return export_response(fmt, "expenses", EXPORT_HEADERS, rows)

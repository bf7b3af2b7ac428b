"""Exchange rates (UZS per USD by date), kept by finance."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.auth.deps import CurrentUser, DbSession, require
from app.auth.permissions import P
from app.core import clock
from app.domain.finance.rates import rates
from app.domain.finance.schemas import RateSet
from app.web.finance_ui import FINANCE_BASE, page_of
from app.web.forms import PostedForm, submit_values
from app.web.money import clean_numbers
from app.web.templating import see_other

router = APIRouter()


def rates_page(
    request: Request,
    db: Session,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    saved: str = "",
) -> Response:
    """The latest rates with their change, and the form to set a day's rate."""
    recent = rates.recent(db)
    changes = [row.uzs_per_usd - older.uzs_per_usd for row, older in pairwise(recent)]
    context = {"recent": recent, "changes": [*changes, None], "values": values, "errors": errors, "saved": saved}
    return page_of(request, "features/rates/rates.html", context, status_code=status_code)


@router.get("/rates")
def rates_list(request: Request, db: DbSession, user: CurrentUser, saved: str = "") -> Response:
    """The UZS per USD rates, latest first, and the form to set a day's rate."""
    return rates_page(request, db, {"day": clock.today().isoformat(), "uzs_per_usd": ""}, {}, saved=saved[:10])


@router.post("/rates", dependencies=[Depends(require(P.RATES_WRITE))])
def set_rate(request: Request, form: PostedForm, db: DbSession, user: CurrentUser) -> Response:
    """Set (or correct) the rate of a day; the page again with the errors next to the fields."""
    values = {k: v for k, v in form.items() if k != "csrf_token"}
    row, _, errors = submit_values(
        db, RateSet, clean_numbers(values, ("uzs_per_usd",), unset=("uzs_per_usd",)), lambda d: rates.set(db, user, d)
    )
    if not errors:
        return see_other(f"{FINANCE_BASE}/rates?saved={row.day.isoformat()}")
    return rates_page(request, db, values, errors, status_code=422)

"""Plan vs fact with progress bars, and the form where the ROP sets each salesperson's monthly plan."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.auth.deps import CurrentUser, DbSession, require
from app.auth.models import User
from app.auth.permissions import P
from app.core import cache
from app.core.errors import AppError, InvalidMany
from app.domain.reports.plans import current_month, plans
from app.domain.reports.schemas import MonthQuery, PlanItem, PlansUpdate
from app.features.plans.exports import plan_fact_export
from app.web.export import ExportFormat
from app.web.feature import DashboardBase
from app.web.forms import PostedForm, validate_form
from app.web.i18n import gettext
from app.web.money import clean_numbers
from app.web.templating import render, see_other

router = APIRouter()


def _month(request: Request) -> tuple[MonthQuery | None, dict[str, str], dict[str, str]]:
    """(query, values, errors) of the month asked for (this month by default)."""
    values = {"month": request.query_params.get("month") or f"{current_month():%Y-%m}"}
    query, errors = validate_form(MonthQuery, values)
    return query, values, errors


@router.get("/plan-fact")
def plan_fact_page(request: Request, db: DbSession, user: CurrentUser, base: DashboardBase) -> Response:
    """Each salesperson's plan against the contracts they signed in the month, and the team total."""
    query, values, errors = _month(request)
    context = {
        "values": values,
        "errors": errors,
        "report": plans.plan_fact(db, user, query.month) if query else None,
        "base": base,
        "cache_seconds": cache.ttl_seconds(),
    }
    return render(
        request, "features/plans/plan_fact.html", context, block="results", status_code=422 if errors else 200
    )


@router.get("/plan-fact/export")
def plan_fact_file(request: Request, db: DbSession, user: CurrentUser, format: ExportFormat = "csv") -> Response:
    """Plan vs fact of the month as CSV or XLSX."""
    query, _, errors = _month(request)
    if query is None:
        raise InvalidMany("Check the data you entered", [{"loc": ["query", "month"], "msg": errors["month"]}])
    return plan_fact_export(plans.plan_fact(db, user, query.month), format)


def _plans_form(
    request: Request, db: Session, user: User, base: str, values: dict, errors: dict, status_code: int = 200
) -> Response:
    """The plans form of a month with typed values and errors (or the stored plans)."""
    query, errors_month = validate_form(MonthQuery, {"month": values.get("month", "")})
    month = query.month if query else current_month()
    table = plans.plans(db, user, month)
    context = {"month": month, "table": table, "values": values, "errors": errors | errors_month, "base": base}
    return render(request, "features/plans/plans.html", context, status_code=status_code)


@router.get("/plans")
def plans_page(request: Request, db: DbSession, user: CurrentUser, base: DashboardBase, saved: str = "") -> Response:
    """The sales plans of a month, one row per salesperson, editable by the ROP."""
    query, values, errors = _month(request)
    if query is None:
        return _plans_form(request, db, user, base, values, errors, status_code=422)
    stored = plans.plans(db, user, query.month)
    for row in stored.items:
        values[f"contracts-{row.salesperson_id}"] = "" if row.contracts is None else str(row.contracts)
        values[f"amount-{row.salesperson_id}"] = "" if row.amount is None else f"{row.amount:f}".rstrip("0").rstrip(".")
    values["saved"] = saved[:7]
    return _plans_form(request, db, user, base, values, errors)


def plan_items(form: dict[str, Any]) -> tuple[list[dict], dict[str, str]]:
    """The plan rows typed in the form (rows left blank are skipped), and a field for each index."""
    items, fields = [], {}
    ids = sorted({key.split("-", 1)[1] for key in form if key.startswith(("contracts-", "amount-"))})
    for key in ids:
        contracts, amount = form.get(f"contracts-{key}", "").strip(), form.get(f"amount-{key}", "").strip()
        if not contracts and not amount:
            continue
        fields[str(len(items))] = key
        cleaned = clean_numbers({"amount": amount or "0"}, ("amount",))
        items.append({"salesperson_id": key, "contracts": contracts or "0", "amount": cleaned["amount"]})
    return items, fields


@router.post("/plans", dependencies=[Depends(require(P.PLANS_WRITE))])
def save_plans(request: Request, form: PostedForm, db: DbSession, user: CurrentUser, base: DashboardBase) -> Response:
    """Save the month's plans; the form again with each error next to its field."""
    values = {k: v for k, v in form.items() if k != "csrf_token"}
    query, errors = validate_form(MonthQuery, {"month": values.get("month", "")})
    if query is None:
        return _plans_form(request, db, user, base, values, errors, status_code=422)
    items, fields = plan_items(values)
    data, _ = validate_form(PlansUpdate, {"items": items})
    if data is None:
        return _plans_form(request, db, user, base, values, _field_errors(items, fields), status_code=422)
    try:
        with db.begin_nested():
            plans.set_plans(db, user, query.month, data)
    except InvalidMany as exc:
        errors = {f"contracts-{fields[str(p['loc'][2])]}": _translated(p) for p in exc.problems}
        return _plans_form(request, db, user, base, values, errors, status_code=422)
    except AppError as exc:
        errors = {"__all__": gettext(exc.message, **exc.params)}
        return _plans_form(request, db, user, base, values, errors, status_code=exc.status_code)
    return see_other(f"{base}/plans?month={query.month:%Y-%m}&saved={query.month:%Y-%m}")


def _field_errors(items: list[dict], fields: dict[str, str]) -> dict[str, str]:
    """Each invalid plan value's message under its form field ("contracts-12", "amount-12")."""
    errors: dict[str, str] = {}
    for index, item in enumerate(items):
        _, problems = validate_form(PlanItem, item)
        for name, message in problems.items():
            errors.setdefault(f"{'amount' if name == 'amount' else 'contracts'}-{fields[str(index)]}", message)
    return errors


def _translated(problem: dict) -> str:
    """A problem's message in the reader's language."""
    message = problem["msg"]
    return gettext(message)

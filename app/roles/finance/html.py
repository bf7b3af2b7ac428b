"""HTML pages of the finance dashboard under /dashboard/finance: balances, a contract's statement
with recording, cancelling and receipts of payments, debts by age, cash flow, rates and payments.
Each page calls the same domain function as its JSON twin in app/roles/finance/api.py."""

from __future__ import annotations

import math
import secrets
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import Query, Request
from pydantic import BaseModel, Field

from app.auth.crud import users
from app.auth.deps import CurrentUser, DbSession
from app.auth.models import User
from app.auth.permissions import Role
from app.core import clock
from app.core.errors import Invalid
from app.core.paging import Page
from app.domain.contracts.crud import contracts
from app.domain.contracts.models import Contract, InstalmentKind
from app.domain.contracts.schemas import ContractFilter
from app.domain.finance.crud import balance_of, instalment_states, payments
from app.domain.finance.models import Payment, PaymentStatus, PaymentType
from app.domain.finance.rates import rates
from app.domain.finance.reports import BUCKETS, bucket_totals, cashflow, contract_balances, debts
from app.domain.finance.schemas import CashflowMonth, DebtFilter, PaymentCancel, PaymentCreate, PaymentFilter, RateSet
from app.domain.inventory.crud import complexes
from app.domain.inventory.models import Currency
from app.roles.base import html_router
from app.roles.finance.exports import (
    balances_export,
    cashflow_export,
    contracts_of,
    debts_export,
    payments_export,
)
from app.web.forms import PostedForm, submit_values, validate_form
from app.web.i18n import gettext
from app.web.labels import N_, PAYMENT_METHOD_LABELS, PAYMENT_STATUS_LABELS, PAYMENT_TYPE_LABELS
from app.web.money import amount, clean_numbers, figure
from app.web.templating import is_htmx, render, see_other

router = html_router(Role.FINANCE)
BASE = "/dashboard/finance"
ExportFormat = Literal["csv", "xlsx"]

MONTH_NAMES = (
    N_("Jan"),
    N_("Feb"),
    N_("Mar"),
    N_("Apr"),
    N_("May"),
    N_("Jun"),
    N_("Jul"),
    N_("Aug"),
    N_("Sep"),
    N_("Oct"),
    N_("Nov"),
    N_("Dec"),
)
BUCKET_NAMES = [name for name, _, _ in BUCKETS]


class DebtView(DebtFilter):
    """The debts page's filters: the JSON twin's, plus the currency of the bucket totals."""

    currency: Currency = Currency.UZS


class PaymentView(PaymentFilter):
    """The payments page's filters: the JSON twin's, plus a contract found by its number or buyer."""

    contract: str = Field("", max_length=100)


class CashflowQuery(BaseModel):
    """The period and currency of the cash-flow page."""

    date_from: date
    date_to: date
    currency: Currency = Currency.UZS


# --- helpers -----------------------------------------------------------------------------


def plain(value: Decimal | int | None) -> str:
    """A number without trailing zeros, thousands apart: 12 950, 12 939.5."""
    if value is None:
        return ""
    value = Decimal(value)
    text = f"{value:,f}".replace(",", "\u00a0")
    return text.rstrip("0").rstrip(".") if "." in text else text


def compact(value: float) -> str:
    """A chart axis label: 1.5 bn, 250 M, 12 K."""
    for size, msgid in ((1e9, N_("%(value)s bn")), (1e6, N_("%(value)s M")), (1e3, N_("%(value)s K"))):
        if abs(value) >= size:
            return gettext(msgid, value=f"{value / size:.1f}".rstrip("0").rstrip("."))
    return f"{value:.0f}"


def today_of(request: Request) -> date:
    """Today in the company's time zone."""
    return clock.today()


def page_of(request: Request, template: str, context: dict[str, Any], **kwargs: Any):
    """Render a finance page with the helpers and labels every finance template uses."""
    shared = {
        "base": BASE,
        "amount": amount,
        "figure": figure,
        "plain": plain,
        "BUCKETS": BUCKET_NAMES,
        "METHOD_LABELS": PAYMENT_METHOD_LABELS,
        "TYPE_LABELS": PAYMENT_TYPE_LABELS,
        "PAYMENT_STATUS_LABELS": PAYMENT_STATUS_LABELS,
        "CURRENCIES": [c.value for c in Currency],
        "CURRENCY_OPTIONS": [(c.value, c.value) for c in Currency],
        "month_label": month_label,
    }
    return render(request, template, shared | context, **kwargs)


def remaining_after(contract: Contract, history: list[Payment], payment: Payment) -> Decimal:
    """What the buyer still owed once `payment` was counted (completed payments up to it, in order)."""
    upto = (payment.paid_at, payment.id)
    counted = sum(
        (
            p.amount_in_contract_currency
            for p in history
            if p.status == PaymentStatus.COMPLETED and (p.paid_at, p.id) <= upto
        ),
        Decimal(0),
    )
    return max(contract.total - counted, Decimal(0))


# --- chart -------------------------------------------------------------------------------

CHART = {"width": 960, "height": 300, "left": 72, "right": 12, "top": 14, "bottom": 40}


def nice_step(top: float, ticks: int = 4) -> float:
    """A round axis step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` gridlines up to `top`."""
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if raw <= m * power)


def month_label(key: str, with_year: bool) -> str:
    """ "Jan" or "Jan 2026" for "2026-01"."""
    year, month = key.split("-")
    name = gettext(MONTH_NAMES[int(month) - 1])
    return f"{name} {year}" if with_year else name


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
                    "title": f"{month_label(m.month, True)} · {label}: {amount(value, currency)}",
                }
            )
        if index % every == 0:
            labels.append({"x": round(centre, 1), "text": month_label(m.month, len(years) > 1 or every > 1)})
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


# --- balances ----------------------------------------------------------------------------


@router.get("/balances")
def balances_page(request: Request, db: DbSession, user: CurrentUser, f: Annotated[ContractFilter, Query()]):
    """Contracts with total, paid, remaining, overdue and credit; search, status, sorting, paging."""
    page = contract_balances(db, user, f, today_of(request))
    return page_of(request, "features/balances/balances.html", {"page": page, "f": f}, block="results")


@router.get("/balances/export")
def balances_file(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    f: Annotated[ContractFilter, Query()],
    format: ExportFormat = "csv",
):
    """The balances under the list's filters as CSV or XLSX."""
    return balances_export(db, user, f, today_of(request), format)


# --- a contract's statement and its payments ---------------------------------------------


def default_payment(contract: Contract, today: date) -> dict[str, Any]:
    """The record form's first values: today, by transfer, in the contract's currency."""
    down_open = any(i.kind == InstalmentKind.DOWN_PAYMENT and i.paid < i.amount for i in contract.schedule)
    kind = PaymentType.INITIAL if down_open else PaymentType.INSTALLMENT
    return {
        "contract_id": contract.id,
        "amount": "",
        "paid_at": today.isoformat(),
        "method": "transfer",
        "type": kind.value,
        "currency": contract.currency.value,
        "rate": "",
        "note": "",
    }


def statement_page(
    request: Request,
    db,
    user: User,
    contract_id: int,
    *,
    status_code: int = 200,
    values: dict | None = None,
    errors: dict | None = None,
    **extra: Any,
):
    """A contract's statement: schedule with its state, totals, payments and the record form."""
    contract = contracts.get(db, user, contract_id)
    received, history = payments.statement_parts(db, contract.id)
    today = today_of(request)
    balance = balance_of(contract, received, today)
    schedule = instalment_states(contract.schedule, today)
    values = values or default_payment(contract, today)
    try:
        rate_day = date.fromisoformat(str(values.get("paid_at", "")))
    except ValueError:
        rate_day = today
    upcoming = next((s for s in schedule if s.remaining > 0), None)
    context = {
        "contract": contract,
        "balance": balance,
        "schedule": schedule,
        "history": history,
        "names": users.names(db, (p.created_by_id for p in history)),
        "today": today,
        "upcoming": upcoming,
        "values": values,
        "errors": errors or {},
        "key": values.get("idempotency_key") or secrets.token_urlsafe(16),
        "table_rate": rates.on(db, rate_day),
        "rate_day": rate_day,
        "cancel_for": None,
        "cancel_values": {},
        "cancel_errors": {},
        "just_paid": None,
        "just_cancelled": None,
        "method_options": [(k, gettext(v)) for k, v in PAYMENT_METHOD_LABELS.items()],
        "type_options": [(k, gettext(v)) for k, v in PAYMENT_TYPE_LABELS.items()],
        **extra,
    }
    return page_of(request, "features/payments/statement.html", context, status_code=status_code)


@router.get("/contracts/{contract_id:int}/statement")
def statement(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    contract_id: int,
    paid: int | None = None,
    cancelled: int | None = None,
):
    """A contract's schedule (due, paid, remaining, days overdue), its payments and the record form."""
    return statement_page(request, db, user, contract_id, just_paid=paid, just_cancelled=cancelled)


@router.post("/payments")
def record_payment(request: Request, form: PostedForm, db: DbSession, user: CurrentUser):
    """Record a payment from the statement's form; the statement again with errors (nothing saved)."""
    values = {k: v for k, v in form.items() if k != "csrf_token"}
    contract_id = str(values.get("contract_id", ""))
    if not contract_id.isdigit() or int(contract_id) < 1:
        raise Invalid("Choose a contract.", field="contract_id")
    key = str(values.get("idempotency_key", ""))[:80]
    data = clean_numbers(values, ("amount", "rate"), unset=("amount", "rate", "currency"))
    data.pop("idempotency_key", None)
    done, _, errors = submit_values(
        db, PaymentCreate, data, lambda d: payments.record(db, user, d, f"form-{key}" if key else None)
    )
    if not errors:
        payment, _replayed = done
        return see_other(f"{BASE}/contracts/{payment.contract_id}/statement?paid={payment.id}")
    return statement_page(request, db, user, int(contract_id), status_code=422, values=values, errors=errors)


@router.post("/payments/{payment_id:int}/cancel")
def cancel_payment(request: Request, form: PostedForm, db: DbSession, user: CurrentUser, payment_id: int):
    """Cancel a payment with a reason; the statement again with the error next to the reason otherwise."""
    payment = payments.get(db, user, payment_id)
    contract_id = payment.contract_id
    values = {"reason": " ".join(str(form.get("reason", "")).split())}
    _, _, errors = submit_values(db, PaymentCancel, values, lambda d: payments.cancel(db, user, payment_id, d.reason))
    if not errors:
        return see_other(f"{BASE}/contracts/{contract_id}/statement?cancelled={payment_id}")
    return statement_page(
        request,
        db,
        user,
        contract_id,
        status_code=422,
        cancel_for=payment_id,
        cancel_values=values,
        cancel_errors=errors,
    )


@router.get("/payments/{payment_id:int}/receipt")
def receipt(request: Request, db: DbSession, user: CurrentUser, payment_id: int):
    """A printable receipt of one payment with the debt left after it."""
    payment = payments.get(db, user, payment_id)
    contract = contracts.get(db, user, payment.contract_id)
    _, history = payments.statement_parts(db, contract.id)
    context = {
        "payment": payment,
        "contract": contract,
        "remaining": remaining_after(contract, history, payment),
        "recorded_by": users.names(db, [payment.created_by_id]).get(payment.created_by_id, ""),
    }
    return page_of(request, "features/payments/receipt.html", context)


# --- debts -------------------------------------------------------------------------------


@router.get("/debts")
def debts_page(request: Request, db: DbSession, user: CurrentUser, f: Annotated[DebtView, Query()]):
    """Overdue contracts with the ageing bucket totals; filters by complex, building, salesperson, bucket."""
    today = today_of(request)
    context: dict[str, Any] = {
        "page": debts(db, user, f, today),
        "f": f,
        "totals": bucket_totals(db, user, today, f.currency),
        "today": today,
    }
    if not is_htmx(request):
        context |= {"complexes": complexes.all(db), "team": users.team(db, Role.SALES)}
    return page_of(request, "features/debts/debts.html", context, block="results")


@router.get("/debts/export")
def debts_file(
    request: Request, db: DbSession, user: CurrentUser, f: Annotated[DebtView, Query()], format: ExportFormat = "csv"
):
    """The debts under the list's filters as CSV or XLSX."""
    return debts_export(db, user, f, today_of(request), format)


# --- cash flow ---------------------------------------------------------------------------


def cashflow_values(request: Request) -> dict[str, Any]:
    """The period asked for, this year by default, in UZS by default."""
    today = today_of(request)
    values = {
        "date_from": date(today.year, 1, 1).isoformat(),
        "date_to": date(today.year, 12, 31).isoformat(),
        "currency": Currency.UZS.value,
    }
    values.update({k: v for k, v in request.query_params.items() if k in values and v})
    return values


def cashflow_months(db, user: User, values: dict[str, Any]) -> tuple[CashflowQuery | None, list, dict[str, str]]:
    """(query, months, {}) for a valid period, else (query or None, [], {field: message})."""
    query, errors = validate_form(CashflowQuery, values)
    if query is None:
        return None, [], errors
    try:
        return query, cashflow(db, user, query.date_from, query.date_to, query.currency), {}
    except Invalid as exc:
        return query, [], {exc.field or "__all__": gettext(exc.message, **exc.params)}


@router.get("/cashflow")
def cashflow_page(request: Request, db: DbSession, user: CurrentUser):
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
def cashflow_file(request: Request, db: DbSession, user: CurrentUser, format: ExportFormat = "csv"):
    """Plan vs fact per month of the period as CSV or XLSX."""
    query, months, errors = cashflow_months(db, user, cashflow_values(request))
    if errors or query is None:
        raise Invalid(next(iter(errors.values()), "Check the data you entered"))
    return cashflow_export(months, query.currency, format)


# --- rates -------------------------------------------------------------------------------


def rates_page(
    request: Request, db, values: dict[str, Any], errors: dict[str, str], status_code: int = 200, saved: str = ""
):
    """The latest rates with their change, and the form to set a day's rate."""
    recent = rates.recent(db)
    changes = [row.uzs_per_usd - older.uzs_per_usd for row, older in pairwise(recent)]
    context = {"recent": recent, "changes": [*changes, None], "values": values, "errors": errors, "saved": saved}
    return page_of(request, "features/rates/rates.html", context, status_code=status_code)


@router.get("/rates")
def rates_list(request: Request, db: DbSession, user: CurrentUser, saved: str = ""):
    """The UZS per USD rates, latest first, and the form to set a day's rate."""
    return rates_page(request, db, {"day": today_of(request).isoformat(), "uzs_per_usd": ""}, {}, saved=saved[:10])


@router.post("/rates")
def set_rate(request: Request, form: PostedForm, db: DbSession, user: CurrentUser):
    """Set (or correct) the rate of a day; the page again with the errors next to the fields."""
    values = {k: v for k, v in form.items() if k != "csrf_token"}
    row, _, errors = submit_values(
        db, RateSet, clean_numbers(values, ("uzs_per_usd",), unset=("uzs_per_usd",)), lambda d: rates.set(db, user, d)
    )
    if not errors:
        return see_other(f"{BASE}/rates?saved={row.day.isoformat()}")
    return rates_page(request, db, values, errors, status_code=422)


# --- payments ----------------------------------------------------------------------------


def payment_scope(db, user: User, f: PaymentView) -> tuple[PaymentFilter, Contract | None, str]:
    """The filter with the typed contract resolved: (filter, contract, problem); a problem means no rows."""
    if not f.contract.strip():
        return f, None, ""
    text = f.contract.strip()
    found = contracts.page(db, user, ContractFilter(q=text, page_size=10)).items
    exact = [c for c in found if c.number == text]
    if exact or len(found) == 1:
        chosen = (exact or found)[0]
        return f.model_copy(update={"contract_id": chosen.id}), chosen, ""
    if found:
        return f, None, gettext("Several contracts match: type the whole number.")
    return f, None, gettext("No contract matches “%(text)s”.", text=text)


@router.get("/payments")
def payments_page(request: Request, db: DbSession, user: CurrentUser, f: Annotated[PaymentView, Query()]):
    """Every payment, newest first; filters by dates, status and contract; paging and export."""
    scope, chosen, problem = payment_scope(db, user, f)
    page = Page(items=[], total=0, page=f.page, page_size=f.page_size) if problem else payments.page(db, user, scope)
    context = {
        "page": page,
        "f": f,
        "problem": problem,
        "chosen": chosen,
        "owners": contracts_of(db, user, (p.contract_id for p in page.items)),
        "names": users.names(db, (p.created_by_id for p in page.items)),
        "statuses": [s.value for s in PaymentStatus],
    }
    return page_of(request, "features/payments/list.html", context, block="results")


@router.get("/payments/export")
def payments_file(db: DbSession, user: CurrentUser, f: Annotated[PaymentView, Query()], format: ExportFormat = "csv"):
    """The payments under the list's filters as CSV or XLSX."""
    scope, _, problem = payment_scope(db, user, f)
    return payments_export(db, user, scope, format, none=bool(problem))

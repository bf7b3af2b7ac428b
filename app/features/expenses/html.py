"""Expenses for the ROP: the list with filters and totals (by category, complex and month), export,
the form with its receipt (a multipart post), and the categories the ROP keeps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.auth.deps import CurrentUser, DbSession, require
from app.auth.models import User
from app.auth.permissions import P
from app.core import clock
from app.core.errors import AppError
from app.core.types import Id
from app.domain.inventory.models import Currency
from app.domain.marketing.campaigns import campaigns
from app.domain.marketing.crud import categories, expenses
from app.domain.marketing.models import Expense
from app.domain.marketing.receipts import ReceiptUpload, check_receipt
from app.domain.marketing.schemas import CategoryName, CategoryUpdate, ExpenseFilter, ExpenseWrite
from app.features.expenses.exports import expenses_export
from app.features.expenses.files import receipt_response, storage, upload_of
from app.web.export import ExportFormat
from app.web.feature import DashboardBase
from app.web.forms import PostedForm, blank_is_none, submit_values, validate_form
from app.web.i18n import gettext
from app.web.money import clean_numbers
from app.web.templating import render, see_other

router = APIRouter()
WRITE = [Depends(require(P.MARKETING_WRITE))]
FIELDS = ("day", "amount", "currency", "category_id", "complex_id", "campaign_id", "note")


def _choices(db: Session, user: User, keep_category: int | None = None) -> dict[str, Any]:
    """What the selects offer: active categories (and the expense's own), complexes, campaigns, currencies."""
    every = categories.all(db, user)
    offered = [(c.id, c.name) for c in every if c.is_active or c.id == keep_category]
    running = campaigns.all(db, user)
    return {
        "categories": offered,
        "all_categories": every,
        "complexes": expenses.complexes(db),
        "campaigns": running,
        "campaign_options": [(c.id, c.name) for c in running],
        "currencies": [(c.value, c.value) for c in Currency],
    }


def _posted(form: PostedForm) -> tuple[dict[str, Any], ReceiptUpload | None]:
    """The typed values (numbers made parseable, empty selects unset) and the chosen receipt."""
    upload = upload_of(form.get("receipt"))
    values = {k: v for k, v in form.items() if k in FIELDS}
    return blank_is_none(clean_numbers(values, ("amount",)), "complex_id", "campaign_id", "amount", "day"), upload


def _submit(
    request: Request, db: Session, values: dict, upload: ReceiptUpload | None, action: Callable[..., Expense]
) -> tuple[Expense | None, dict[str, str]]:
    """Check the receipt and the fields together; run `action` only when both are fine (in a savepoint)."""
    problems: dict[str, str] = {}
    if upload is not None:
        try:
            check_receipt(upload, storage(request)["max_bytes"])
        except AppError as exc:
            problems["receipt"] = gettext(exc.message, **exc.params)
    if problems:
        _, errors = validate_form(ExpenseWrite, values)
        return None, {**errors, **problems}
    row, _, errors = submit_values(db, ExpenseWrite, values, lambda data: action(data, upload))
    return row, errors


def _form(
    request: Request,
    db: Session,
    user: User,
    base: str,
    target: Expense | None,
    values: dict,
    errors: dict,
    status_code: int = 200,
) -> Response:
    """The expense form (new or edit) with its values and errors."""
    context = {"target": target, "values": values, "errors": errors, "base": base}
    context["max_upload_mb"] = storage(request)["max_bytes"] // (1024 * 1024)
    context |= _choices(db, user, target.category_id if target else None)
    return render(request, "features/expenses/form.html", context, status_code=status_code)


@router.get("/expenses")
def expenses_page(
    request: Request, db: DbSession, user: CurrentUser, base: DashboardBase, f: Annotated[ExpenseFilter, Query()]
) -> Response:
    """Expenses by period, category, complex and campaign, with totals; HTMX gets the results."""
    context = {"page": expenses.page(db, user, f), "totals": expenses.totals(db, user, f), "f": f, "base": base}
    context["saved"] = request.query_params.get("saved", "")[:10]
    return render(request, "features/expenses/list.html", context | _choices(db, user), block="results")


@router.get("/expenses/export")
def expenses_export_file(
    db: DbSession, user: CurrentUser, f: Annotated[ExpenseFilter, Query()], format: ExportFormat = "csv"
) -> Response:
    """The filtered expenses as CSV or XLSX."""
    return expenses_export(db, user, f, format)


@router.get("/expenses/new", dependencies=WRITE)
def new_expense_page(request: Request, db: DbSession, user: CurrentUser, base: DashboardBase) -> Response:
    """An empty expense form: today, in UZS."""
    return _form(request, db, user, base, None, {"day": clock.today().isoformat(), "currency": "UZS"}, {})


@router.post("/expenses", dependencies=WRITE)
def create_expense(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, base: DashboardBase
) -> Response:
    """Record an expense with its receipt; the form again with the errors next to the fields."""
    values, upload = _posted(form)
    row, errors = _submit(request, db, values, upload, lambda d, r: expenses.create(db, user, d, r, **storage(request)))
    if row is None:
        return _form(request, db, user, base, None, values, errors, status_code=422)
    return see_other(f"{base}/expenses?saved={row.id}")


@router.get("/expenses/{expense_id:int}")
def expense_page(request: Request, db: DbSession, user: CurrentUser, base: DashboardBase, expense_id: Id) -> Response:
    """An expense in its form, to correct it."""
    target = expenses.get(db, user, expense_id)
    values = {name: getattr(target, name) for name in FIELDS}
    values |= {"currency": target.currency.value, "day": target.day.isoformat()}
    return _form(request, db, user, base, target, values, {})


@router.post("/expenses/{expense_id:int}", dependencies=WRITE)
def update_expense(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, base: DashboardBase, expense_id: Id
) -> Response:
    """Save a corrected expense (a new receipt replaces the old one)."""
    target = expenses.get(db, user, expense_id)
    values, upload = _posted(form)
    row, errors = _submit(
        request, db, values, upload, lambda d, r: expenses.update(db, user, expense_id, d, r, **storage(request))
    )
    if row is None:
        return _form(request, db, user, base, target, values, errors, status_code=422)
    return see_other(f"{base}/expenses?saved={row.id}")


@router.post("/expenses/{expense_id:int}/delete", dependencies=WRITE)
def delete_expense(db: DbSession, user: CurrentUser, base: DashboardBase, expense_id: Id) -> Response:
    """Remove an expense entered by mistake."""
    expenses.delete(db, user, expense_id)
    return see_other(f"{base}/expenses?saved=deleted")


@router.get("/expenses/{expense_id:int}/receipt")
def expense_receipt(request: Request, db: DbSession, user: CurrentUser, expense_id: Id) -> Response:
    """The receipt of an expense, shown in the browser."""
    return receipt_response(expenses.receipt(db, user, expense_id, storage(request)["data_dir"]))


def _categories_page(
    request: Request,
    db: Session,
    user: User,
    base: str,
    errors: dict | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    """The categories with how many expenses each has, and the form to add one."""
    context = {
        "items": categories.all(db, user),
        "usage": categories.usage(db),
        "errors": errors or {},
        "values": extra.pop("values", {}),
        "base": base,
        **extra,
    }
    return render(request, "features/expenses/categories.html", context, status_code=status_code)


@router.get("/expenses/categories")
def categories_page(request: Request, db: DbSession, user: CurrentUser, base: DashboardBase) -> Response:
    """The expense categories: add, rename, deactivate, delete the unused."""
    return _categories_page(request, db, user, base, saved=request.query_params.get("saved", "")[:10])


@router.post("/expenses/categories", dependencies=WRITE)
def create_category(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, base: DashboardBase
) -> Response:
    """Add a category; the page again with the error next to the name."""
    row, values, errors = submit_values(db, CategoryName, dict(form), lambda d: categories.create(db, user, d))
    if row is None:
        return _categories_page(request, db, user, base, errors, status_code=422, values=values)
    return see_other(f"{base}/expenses/categories?saved=added")


@router.post("/expenses/categories/{category_id:int}", dependencies=WRITE)
def update_category(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, base: DashboardBase, category_id: Id
) -> Response:
    """Rename a category, or (de)activate it (`is_active` = true/false)."""
    categories.get(db, user, category_id)
    values = {k: v for k, v in form.items() if k in ("name", "is_active")}  # a blank name is refused
    row, _, errors = submit_values(db, CategoryUpdate, values, lambda d: categories.update(db, user, category_id, d))
    if row is None:
        return _categories_page(request, db, user, base, status_code=422, row_errors={category_id: errors})
    return see_other(f"{base}/expenses/categories?saved={category_id}")


@router.post("/expenses/categories/{category_id:int}/delete", dependencies=WRITE)
def delete_category(
    request: Request, db: DbSession, user: CurrentUser, base: DashboardBase, category_id: Id
) -> Response:
    """Delete an unused category; a used one stays, with the reason shown."""
    categories.get(db, user, category_id)
    _, _, errors = submit_values(db, CategoryUpdate, {}, lambda _d: categories.delete(db, user, category_id))
    if errors:
        return _categories_page(request, db, user, base, status_code=409, row_errors={category_id: errors})
    return see_other(f"{base}/expenses/categories?saved=deleted")

"""The JSON twin of the expenses pages: the list, totals, export, entry, receipts and categories."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response

from app.auth.deps import CurrentUser, DbSession, require
from app.auth.permissions import P
from app.core.paging import Page
from app.core.types import Id
from app.domain.marketing.crud import categories, expenses
from app.domain.marketing.models import Expense, ExpenseCategory
from app.domain.marketing.schemas import (
    CategoryName,
    CategoryRead,
    CategoryUpdate,
    ExpenseFilter,
    ExpenseRead,
    ExpenseTotals,
    ExpenseWrite,
)
from app.features.expenses.exports import expenses_export
from app.features.expenses.files import receipt_response, storage, upload_of
from app.web.export import ExportFormat
from app.web.openapi import EXPORT_RESPONSES

router = APIRouter()
WRITE = [Depends(require(P.MARKETING_WRITE))]
BINARY = {"schema": {"type": "string", "format": "binary"}}
FILE_RESPONSES = {
    200: {
        "description": "The receipt: a picture or a PDF",
        "content": {kind: BINARY for kind in ("image/jpeg", "image/png", "image/webp", "application/pdf")},
    }
}


@router.get("/expenses", response_model=Page[ExpenseRead])
def list_expenses(db: DbSession, user: CurrentUser, f: Annotated[ExpenseFilter, Query()]) -> Page[Expense]:
    """One page of expenses by period, category, complex, campaign; the latest day first."""
    return expenses.page(db, user, f)


@router.get("/expenses/totals", response_model=ExpenseTotals)
def expense_totals(db: DbSession, user: CurrentUser, f: Annotated[ExpenseFilter, Query()]) -> ExpenseTotals:
    """The filtered expenses summed in UZS by category, complex and month."""
    return expenses.totals(db, user, f)


@router.get("/expenses/export", response_class=Response, responses=EXPORT_RESPONSES)
def export_expenses(
    db: DbSession, user: CurrentUser, f: Annotated[ExpenseFilter, Query()], format: ExportFormat = "csv"
) -> Response:
    """The filtered expenses as CSV or XLSX."""
    return expenses_export(db, user, f, format)


@router.post("/expenses", response_model=ExpenseRead, status_code=201, dependencies=WRITE)
def create_expense(db: DbSession, user: CurrentUser, body: ExpenseWrite) -> Expense:
    """Record an expense (its receipt goes through POST /expenses/{id}/receipt)."""
    return expenses.create(db, user, body)


@router.get("/expenses/{expense_id:int}", response_model=ExpenseRead)
def get_expense(db: DbSession, user: CurrentUser, expense_id: Id) -> Expense:
    """One expense."""
    return expenses.get(db, user, expense_id)


@router.put("/expenses/{expense_id:int}", response_model=ExpenseRead, dependencies=WRITE)
def update_expense(db: DbSession, user: CurrentUser, expense_id: Id, body: ExpenseWrite) -> Expense:
    """Correct an expense."""
    return expenses.update(db, user, expense_id, body)


@router.delete("/expenses/{expense_id:int}", status_code=204, dependencies=WRITE)
def delete_expense(db: DbSession, user: CurrentUser, expense_id: Id) -> Response:
    """Remove an expense entered by mistake."""
    expenses.delete(db, user, expense_id)
    return Response(status_code=204)


@router.post("/expenses/{expense_id:int}/receipt", response_model=ExpenseRead, dependencies=WRITE)
def upload_receipt(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    expense_id: Id,
    receipt: Annotated[UploadFile | None, File()] = None,
) -> Expense:
    """Attach the receipt (JPEG, PNG, WebP or PDF up to MAX_UPLOAD_MB; 422 naming `receipt` otherwise)."""
    return expenses.attach_receipt(db, user, expense_id, upload_of(receipt), **storage(request))


@router.get("/expenses/{expense_id:int}/receipt", response_class=FileResponse, responses=FILE_RESPONSES)
def get_receipt(request: Request, db: DbSession, user: CurrentUser, expense_id: Id) -> FileResponse:
    """The receipt file of an expense (404 when it has none)."""
    return receipt_response(expenses.receipt(db, user, expense_id, storage(request)["data_dir"]))


@router.get("/expenses/categories", response_model=list[CategoryRead])
def list_categories(db: DbSession, user: CurrentUser) -> list[ExpenseCategory]:
    """Every category, the active ones first."""
    return categories.all(db, user)


@router.post("/expenses/categories", response_model=CategoryRead, status_code=201, dependencies=WRITE)
def create_category(db: DbSession, user: CurrentUser, body: CategoryName) -> ExpenseCategory:
    """Add a category (409 when the name exists)."""
    return categories.create(db, user, body)


@router.put("/expenses/categories/{category_id:int}", response_model=CategoryRead, dependencies=WRITE)
def update_category(db: DbSession, user: CurrentUser, category_id: Id, body: CategoryUpdate) -> ExpenseCategory:
    """Rename and/or (de)activate a category."""
    return categories.update(db, user, category_id, body)


@router.delete("/expenses/categories/{category_id:int}", status_code=204, dependencies=WRITE)
def delete_category(db: DbSession, user: CurrentUser, category_id: Id) -> Response:
    """Delete an unused category (409 when expenses use it: deactivate it instead)."""
    categories.delete(db, user, category_id)
    return Response(status_code=204)

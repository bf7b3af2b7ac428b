"""Expense categories and expenses: the ROP's list, its totals and the receipts.

Only roles holding MARKETING_READ see expenses (the ROP and admins); MARKETING_WRITE changes them.
Sums are in UZS: a USD expense counts at the rate of its own day (app.domain.finance.rates).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from app.auth.models import User
from app.auth.permissions import P, can
from app.core import cache, clock
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.paging import Page, apply_sort, paginate
from app.domain.audit.crud import audit
from app.domain.finance.rates import RateTable, check_after_founding, convert, rates
from app.domain.inventory.models import Complex, Currency
from app.domain.marketing.models import Campaign, Expense, ExpenseCategory
from app.domain.marketing.receipts import (
    MEDIA_TYPES,
    ReceiptUpload,
    receipt_path,
    remove_receipt,
    store_receipt,
)
from app.domain.marketing.schemas import (
    CategoryName,
    CategoryUpdate,
    ExpenseFilter,
    ExpenseTotals,
    ExpenseWrite,
    TotalRow,
)

EXPENSE_FIELDS = ("day", "amount", "currency", "category_id", "complex_id", "campaign_id", "note", "receipt_name")


def may_read(actor: User) -> None:
    """Forbidden unless the actor sees marketing money."""
    if not can(actor, P.MARKETING_READ):
        raise Forbidden("You do not have access to expenses and campaigns.")


def may_write(actor: User) -> None:
    """Forbidden unless the actor keeps expenses and campaigns."""
    if not can(actor, P.MARKETING_WRITE):
        raise Forbidden("Only the head of sales changes expenses and campaigns.")


CENT = Decimal("0.01")
# The sums read expenses, the category and complex names and the exchange rates.
TOTALS_AREAS = ("expenses", "marketing", "rates")


def cents(amount: Decimal | None) -> Decimal | None:
    """A sum with two decimals, as money columns hold it (the API writes "1500000.00")."""
    return None if amount is None else amount.quantize(CENT)


def in_uzs(amount: Decimal, currency: Currency, day: date, table: RateTable) -> Decimal | None:
    """`amount` in UZS at the rate of `day`; None when a USD amount has no rate yet."""
    if currency == Currency.UZS:
        return amount
    rate = table.on(day)
    return convert(amount, currency, Currency.UZS, rate) if rate else None


@dataclass(frozen=True)
class ReceiptFile:
    """A stored receipt ready to be sent: where it is, its type and the name to save it as."""

    path: Path
    media_type: str
    filename: str


class CategoryCRUD:
    """The list of expense categories the ROP keeps: add, rename, deactivate, delete when unused."""

    def all(self, db: Session, actor: User, active_only: bool = False) -> list[ExpenseCategory]:
        """Categories by name (only the active ones for a new expense's select)."""
        may_read(actor)
        q = select(ExpenseCategory).order_by(ExpenseCategory.is_active.desc(), ExpenseCategory.name)
        if active_only:
            q = q.where(ExpenseCategory.is_active.is_(True))
        return list(db.scalars(q))

    def usage(self, db: Session) -> dict[int, int]:
        """How many expenses each category has."""
        rows = db.execute(select(Expense.category_id, func.count()).group_by(Expense.category_id)).all()
        return dict(rows)

    def get(self, db: Session, actor: User, category_id: int) -> ExpenseCategory:
        """A category, or NotFound."""
        may_read(actor)
        row = db.get(ExpenseCategory, category_id)
        if row is None:
            raise NotFound("Category not found.")
        return row

    def create(self, db: Session, actor: User, data: CategoryName) -> ExpenseCategory:
        """Add a category; its name must be new (whatever the letter case)."""
        may_write(actor)
        self._unique(db, data.name)
        row = ExpenseCategory(name=data.name, is_active=True)
        db.add(row)
        db.flush()
        audit.record(db, actor, "expense_category", row.id, "create", None, {"name": row.name})
        return row

    def update(self, db: Session, actor: User, category_id: int, data: CategoryUpdate) -> ExpenseCategory:
        """Rename a category and/or (de)activate it; a deactivated one is offered for no new expense."""
        may_write(actor)
        row = self.get(db, actor, category_id)
        before = {"name": row.name, "is_active": row.is_active}
        if data.name is not None and data.name != row.name:
            self._unique(db, data.name, category_id)
            row.name = data.name
        if data.is_active is not None:
            row.is_active = data.is_active
        db.flush()
        audit.record(
            db, actor, "expense_category", row.id, "update", before, {"name": row.name, "is_active": row.is_active}
        )
        return row

    def delete(self, db: Session, actor: User, category_id: int) -> None:
        """Remove a category no expense uses; a used one can only be deactivated (Conflict)."""
        may_write(actor)
        row = self.get(db, actor, category_id)
        if db.scalar(select(Expense.id).where(Expense.category_id == category_id).limit(1)) is not None:
            raise Conflict("This category has expenses: deactivate it instead of deleting.", field="category")
        audit.record(db, actor, "expense_category", row.id, "delete", {"name": row.name}, None)
        db.delete(row)
        db.flush()

    def _unique(self, db: Session, name: str, own_id: int | None = None) -> None:
        q = select(ExpenseCategory.id).where(func.lower(ExpenseCategory.name) == name.lower())
        if own_id is not None:
            q = q.where(ExpenseCategory.id != own_id)
        if db.scalar(q.limit(1)) is not None:
            raise Conflict("A category with this name already exists.", field="name")


categories = CategoryCRUD()


def _filtered(q: Select, f: ExpenseFilter) -> Select:
    """`q` narrowed by the list's filters."""
    if f.date_from:
        q = q.where(Expense.day >= f.date_from)
    if f.date_to:
        q = q.where(Expense.day <= f.date_to)
    if f.category_id:
        q = q.where(Expense.category_id == f.category_id)
    if f.complex_id:
        q = q.where(Expense.complex_id == f.complex_id)
    if f.campaign_id:
        q = q.where(Expense.campaign_id == f.campaign_id)
    if f.currency:
        q = q.where(Expense.currency == f.currency)
    if f.q:
        q = q.where(Expense.note.contains(f.q.strip(), autoescape=True))
    return q


def snapshot(row: Expense) -> dict:
    """The audited fields of an expense."""
    return {name: getattr(row, name) for name in EXPENSE_FIELDS}


class ExpenseCRUD:
    """Expenses: list, totals, entry with validation, receipts served only to those who see expenses."""

    sort_columns = {"day": Expense.day, "amount": Expense.amount, "created_at": Expense.created_at}

    def query(self, actor: User, f: ExpenseFilter) -> Select:
        """The filtered expenses with what a list shows loaded, newest day first (pages and exports)."""
        may_read(actor)
        q = select(Expense).options(
            joinedload(Expense.category), joinedload(Expense.complex), joinedload(Expense.campaign)
        )
        q = _filtered(q, f)
        return apply_sort(q, f.sort, self.sort_columns, "-day").order_by(Expense.id.desc())

    def page(self, db: Session, actor: User, f: ExpenseFilter) -> Page[Expense]:
        """One page of the filtered expenses."""
        return paginate(db, self.query(actor, f), f.page, f.page_size)

    def get(self, db: Session, actor: User, expense_id: int) -> Expense:
        """One expense with its category, complex and campaign, or NotFound."""
        may_read(actor)
        q = self.query(actor, ExpenseFilter()).where(Expense.id == expense_id)
        row = db.scalars(q).unique().one_or_none()
        if row is None:
            raise NotFound("Expense not found.")
        return row

    def create(
        self,
        db: Session,
        actor: User,
        data: ExpenseWrite,
        receipt: ReceiptUpload | None = None,
        data_dir: Path | None = None,
        max_bytes: int = 0,
    ) -> Expense:
        """Record an expense (and its receipt); nothing is kept, file included, when anything is refused."""
        may_write(actor)
        self._check(db, data, None)
        stored = self._store(receipt, data_dir, max_bytes)
        try:
            row = Expense(
                **data.model_dump(), created_by_id=actor.id, receipt_path=stored, receipt_name=_name_of(receipt, stored)
            )
            db.add(row)
            db.flush()
            audit.record(db, actor, "expense", row.id, "create", None, snapshot(row))
        except BaseException:
            if stored and data_dir is not None:
                remove_receipt(data_dir, stored)
            raise
        return self.get(db, actor, row.id)

    def update(
        self,
        db: Session,
        actor: User,
        expense_id: int,
        data: ExpenseWrite,
        receipt: ReceiptUpload | None = None,
        data_dir: Path | None = None,
        max_bytes: int = 0,
    ) -> Expense:
        """Correct an expense; a new receipt, when sent, replaces the old one."""
        may_write(actor)
        row = self.get(db, actor, expense_id)
        self._check(db, data, row)
        stored = self._store(receipt, data_dir, max_bytes)
        before = snapshot(row)
        for name, value in data.model_dump().items():
            setattr(row, name, value)
        if stored:
            row.receipt_path, row.receipt_name = stored, _name_of(receipt, stored)
        db.flush()
        audit.record(db, actor, "expense", row.id, "update", before, snapshot(row))
        db.expire(row)
        return self.get(db, actor, expense_id)

    def attach_receipt(
        self, db: Session, actor: User, expense_id: int, receipt: ReceiptUpload | None, data_dir: Path, max_bytes: int
    ) -> Expense:
        """Attach (or replace) the receipt of an expense."""
        may_write(actor)
        row = self.get(db, actor, expense_id)
        if receipt is None:
            raise Invalid("Choose a file.", field="receipt")
        before = snapshot(row)
        row.receipt_path = self._store(receipt, data_dir, max_bytes)
        row.receipt_name = _name_of(receipt, row.receipt_path)
        db.flush()
        audit.record(db, actor, "expense", row.id, "receipt", before, snapshot(row))
        return row

    def receipt(self, db: Session, actor: User, expense_id: int, data_dir: Path) -> ReceiptFile:
        """The receipt of an expense the actor may see, or NotFound."""
        row = self.get(db, actor, expense_id)
        path = receipt_path(data_dir, row.receipt_path)
        if path is None:
            raise NotFound("This expense has no receipt.")
        filename = row.receipt_name or f"receipt-{row.id}{path.suffix}"
        return ReceiptFile(path, MEDIA_TYPES[path.suffix], filename)

    def delete(self, db: Session, actor: User, expense_id: int) -> None:
        """Remove an expense entered by mistake (the audit log keeps what it was)."""
        may_write(actor)
        row = self.get(db, actor, expense_id)
        audit.record(db, actor, "expense", row.id, "delete", snapshot(row), None)
        db.delete(row)
        db.flush()

    def totals(self, db: Session, actor: User, f: ExpenseFilter) -> ExpenseTotals:
        """The filtered expenses summed in UZS by category, complex and month (one grouped query; cached)."""
        may_read(actor)
        key = (f.date_from, f.date_to, f.category_id, f.complex_id, f.campaign_id, f.currency)
        return cache.cached("expense_totals", key, TOTALS_AREAS, ExpenseTotals, lambda: self._totals(db, f))

    def _totals(self, db: Session, f: ExpenseFilter) -> ExpenseTotals:
        """Compute the sums of `totals`."""
        q = _filtered(
            select(
                Expense.category_id,
                Expense.complex_id,
                Expense.currency,
                Expense.day,
                func.sum(Expense.amount),
                func.count(),
            ),
            f,
        ).group_by(Expense.category_id, Expense.complex_id, Expense.currency, Expense.day)
        rows = db.execute(q).all()
        table = rates.table(db) if any(r[2] == Currency.USD for r in rows) else RateTable([])
        sums: dict[str, dict] = {
            "category": defaultdict(Decimal),
            "complex": defaultdict(Decimal),
            "month": defaultdict(Decimal),
        }
        counts: dict[str, dict] = {"category": defaultdict(int), "complex": defaultdict(int), "month": defaultdict(int)}
        total, count, missing = Decimal(0), 0, 0
        for category_id, complex_id, currency, day, amount, n in rows:
            value = in_uzs(Decimal(amount), currency, day, table)
            if value is None:
                missing += n
                value = Decimal(0)
            for kind, key in (
                ("category", category_id),
                ("complex", complex_id or 0),
                ("month", day.strftime("%Y-%m")),
            ):
                sums[kind][key] += value
                counts[kind][key] += n
            total += value
            count += n
        names = self._names(db, set(sums["category"]), set(sums["complex"]) - {0})

        def lines(kind: str, label: dict) -> list[TotalRow]:
            keys = sorted(sums[kind], key=lambda k: -sums[kind][k]) if kind != "month" else sorted(sums[kind])
            return [
                TotalRow(key=str(k), name=label.get(k, ""), amount=cents(sums[kind][k]), count=counts[kind][k])
                for k in keys
            ]

        return ExpenseTotals(
            total=cents(total),
            count=count,
            by_category=lines("category", names[0]),
            by_complex=lines("complex", names[1]),
            by_month=lines("month", {}),
            missing_rates=missing,
        )

    def complexes(self, db: Session) -> list[tuple[int, str]]:
        """(id, name) of every complex, for the form's and filters' selects."""
        return [tuple(r) for r in db.execute(select(Complex.id, Complex.name).order_by(Complex.name))]

    @staticmethod
    def _names(db: Session, category_ids: set, complex_ids: set) -> tuple[dict, dict]:
        cats = (
            dict(
                db.execute(
                    select(ExpenseCategory.id, ExpenseCategory.name).where(ExpenseCategory.id.in_(category_ids))
                ).all()
            )
            if category_ids
            else {}
        )
        cplx = (
            dict(db.execute(select(Complex.id, Complex.name).where(Complex.id.in_(complex_ids))).all())
            if complex_ids
            else {}
        )
        return cats, cplx

    @staticmethod
    def _store(receipt: ReceiptUpload | None, data_dir: Path | None, max_bytes: int) -> str:
        if receipt is None:
            return ""
        if data_dir is None:
            raise ValueError("a data folder is needed to keep a receipt")
        return store_receipt(receipt, data_dir, max_bytes)

    @staticmethod
    def _check(db: Session, data: ExpenseWrite, row: Expense | None) -> None:
        """The references exist, the category is active (unless unchanged), the day is real, USD has a rate."""
        check_after_founding(data.day, "day")
        if data.day > clock.today():
            raise Invalid("An expense cannot be dated in the future.", field="day")
        category = db.get(ExpenseCategory, data.category_id)
        if category is None:
            raise Invalid("Unknown category.", field="category_id")
        if not category.is_active and (row is None or row.category_id != data.category_id):
            raise Invalid("This category is deactivated; choose another one.", field="category_id")
        if data.complex_id and db.get(Complex, data.complex_id) is None:
            raise Invalid("Unknown complex.", field="complex_id")
        if data.campaign_id and db.get(Campaign, data.campaign_id) is None:
            raise Invalid("Unknown campaign.", field="campaign_id")
        if data.currency == Currency.USD and rates.on(db, data.day) is None:
            raise Invalid(
                "No exchange rate is known on this day yet: ask finance to set it, or enter the sum in UZS.",
                field="currency",
            )


def _name_of(receipt: ReceiptUpload | None, stored: str) -> str:
    """The file name to offer on download: the one the browser sent, else the stored one."""
    if not stored:
        return ""
    raw = (receipt.filename if receipt else "") or ""
    sent = "".join(ch for ch in Path(raw.replace("\\", "/")).name if ch.isprintable() and ch != '"').strip()
    return (sent or stored)[:200]


expenses = ExpenseCRUD()

"""Exact money on SQLite: NUMERIC values kept as integer counts of their smallest unit.

Reviewed by hand: the column types do not change (NUMERIC(p, s) on both backends), only what
SQLite holds in them. SQLite stored NUMERIC as binary floats (15 significant digits), so
99999999999999.99 read back as .98 and sums drifted; from now on the application type
(app.db.ExactNumeric) writes an integer number of cents (10**-4 for rates) there. This revision
converts the rows already stored; on PostgreSQL, whose NUMERIC is exact, it does nothing.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, scale) of every money, area and rate column
COLUMNS = [
    ("apartments", "area", 2),
    ("apartments", "price_per_m2", 2),
    ("apartments", "total_price", 2),
    ("contracts", "price", 2),
    ("contracts", "discount", 2),
    ("contracts", "total", 2),
    ("contracts", "down_payment", 2),
    ("instalments", "amount", 2),
    ("instalments", "paid", 2),
    ("payments", "amount", 2),
    ("payments", "rate", 4),
    ("payments", "amount_in_contract_currency", 2),
    ("payment_allocations", "amount", 2),
    ("exchange_rates", "uzs_per_usd", 4),
]


def upgrade() -> None:
    """Floats in units -> integers in cents (SQLite only)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, column, scale in COLUMNS:
        op.execute(
            f"UPDATE {table} SET {column} = CAST(ROUND({column} * {10**scale}) AS INTEGER) "  # noqa: S608 - fixed names
            f"WHERE {column} IS NOT NULL"
        )


def downgrade() -> None:
    """Integers in cents -> floats in units (SQLite only)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, column, scale in COLUMNS:
        op.execute(f"UPDATE {table} SET {column} = {column} / {10**scale}.0 WHERE {column} IS NOT NULL")  # noqa: S608

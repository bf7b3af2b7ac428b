"""Sales plans per salesperson and month; contracts indexed by their signing moment.

Reviewed by hand: one plan row per (month, salesperson), the month stored as its first day;
the amount is UZS money in the project's exact numeric type (NUMERIC(16, 2), integer cents on
SQLite, see 0008); deleting a user deletes their plans (CASCADE), the ROP who last edited a plan
is kept as a nullable reference (SET NULL). `ix_contracts_signed_at` serves plan vs fact, which
reads the contracts signed in one company month.

Revision ID: 0011_sales_plans
Revises: 0010_expenses_campaigns
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0011_sales_plans"
down_revision: str | None = "0010_expenses_campaigns"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the sales plans table and index contracts by signing moment."""
    op.create_table(
        "sales_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("salesperson_id", sa.Integer(), nullable=False),
        sa.Column("contracts", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["salesperson_id"], ["users.id"], name=op.f("fk_sales_plans_salesperson_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_sales_plans_updated_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_plans")),
        sa.UniqueConstraint("month", "salesperson_id", name="uq_sales_plans_month_salesperson_id"),
    )
    op.create_index(op.f("ix_sales_plans_salesperson_id"), "sales_plans", ["salesperson_id"], unique=False)
    op.create_index("ix_contracts_signed_at", "contracts", ["signed_at"], unique=False)


def downgrade() -> None:
    """Drop the index and the sales plans table."""
    op.drop_index("ix_contracts_signed_at", table_name="contracts")
    op.drop_index(op.f("ix_sales_plans_salesperson_id"), table_name="sales_plans")
    op.drop_table("sales_plans")

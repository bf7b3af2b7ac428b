"""Marketing: expense categories, campaigns, expenses, and an index for attributing leads.

Reviewed by hand: an expense RESTRICTs the deletion of its category (a used category is only
deactivated); deleting a complex or a campaign leaves its expenses with none (SET NULL); the
utm_campaign key is unique. Money NUMERIC(16, 2) (integer cents on SQLite via ExactNumeric, as
since 0008). `ix_leads_utm_campaign_created_at` lets the campaign figures group a period's leads
by their key from the index alone.

Revision ID: 0010_expenses_campaigns
Revises: 0009_attendance_distribution
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0010_expenses_campaigns"
down_revision: str | None = "0009_attendance_distribution"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNELS = ("instagram", "facebook", "telegram", "google", "youtube", "outdoor", "tv_radio", "other")


def upgrade() -> None:
    """Create the marketing tables and the leads' attribution index."""
    op.create_table(
        "expense_categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expense_categories")),
        sa.UniqueConstraint("name", name=op.f("uq_expense_categories_name")),
    )
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.Enum(*CHANNELS, name="campaignchannel", native_enum=False, length=20), nullable=False),
        sa.Column("utm_campaign", sa.String(length=100), nullable=False),
        sa.Column("complex_id", sa.Integer(), nullable=True),
        sa.Column("budget", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["complex_id"], ["complexes.id"], name=op.f("fk_campaigns_complex_id_complexes"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_campaigns_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
        sa.UniqueConstraint("utm_campaign", name=op.f("uq_campaigns_utm_campaign")),
    )
    op.create_table(
        "expenses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("currency", sa.Enum("UZS", "USD", name="currency", native_enum=False), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("complex_id", sa.Integer(), nullable=True),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("receipt_path", sa.String(length=200), nullable=False),
        sa.Column("receipt_name", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_expenses_campaign_id_campaigns"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["expense_categories.id"],
            name=op.f("fk_expenses_category_id_expense_categories"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["complex_id"], ["complexes.id"], name=op.f("fk_expenses_complex_id_complexes"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_expenses_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expenses")),
    )
    with op.batch_alter_table("expenses", schema=None) as batch_op:
        batch_op.create_index("ix_expenses_campaign_id_day", ["campaign_id", "day"], unique=False)
        batch_op.create_index("ix_expenses_category_id", ["category_id"], unique=False)
        batch_op.create_index("ix_expenses_day", ["day"], unique=False)
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.create_index("ix_leads_utm_campaign_created_at", ["utm_campaign", "created_at"], unique=False)


def downgrade() -> None:
    """Drop the attribution index and the marketing tables."""
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index("ix_leads_utm_campaign_created_at")
    with op.batch_alter_table("expenses", schema=None) as batch_op:
        batch_op.drop_index("ix_expenses_day")
        batch_op.drop_index("ix_expenses_category_id")
        batch_op.drop_index("ix_expenses_campaign_id_day")
    op.drop_table("expenses")
    op.drop_table("campaigns")
    op.drop_table("expense_categories")

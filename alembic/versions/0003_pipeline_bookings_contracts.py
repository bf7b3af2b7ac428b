"""Sales pipeline: lead comments and status history, bookings, contracts, instalments, counters.

Reviewed by hand: at most one ACTIVE booking per apartment (partial unique index, SQLite and
PostgreSQL); contracts RESTRICT deletion of what they reference; money in Numeric(16, 2);
contract numbers come from the counters table inside the creating transaction.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the pipeline, booking and contract tables."""
    op.create_table(
        "counters",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_counters")),
    )
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("apartment_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("salesperson_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("active", "cancelled", "expired", "converted", name="bookingstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=300), nullable=False),
        sa.Column(
            "extension_status",
            sa.Enum("none", "pending", "approved", "rejected", name="extensionstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("extension_hours", sa.Integer(), nullable=False),
        sa.Column("extension_reason", sa.String(length=300), nullable=False),
        sa.Column("extension_decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["apartment_id"], ["apartments.id"], name=op.f("fk_bookings_apartment_id_apartments"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["extension_decided_by_id"],
            ["users.id"],
            name=op.f("fk_bookings_extension_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name=op.f("fk_bookings_lead_id_leads"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["salesperson_id"], ["users.id"], name=op.f("fk_bookings_salesperson_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
    )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_index("ix_bookings_lead_id", ["lead_id"], unique=False)
        batch_op.create_index("ix_bookings_salesperson_id_status", ["salesperson_id", "status"], unique=False)
        batch_op.create_index("ix_bookings_status_expires_at", ["status", "expires_at"], unique=False)
        batch_op.create_index(
            "uq_bookings_active_apartment",
            ["apartment_id"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )

    op.create_table(
        "lead_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_lead_comments_author_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_lead_comments_lead_id_leads"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_comments")),
    )
    with op.batch_alter_table("lead_comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lead_comments_lead_id"), ["lead_id"], unique=False)

    op.create_table(
        "lead_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum("new", "in_work", "booked", "sold", "lost", name="leadstatus", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum("new", "in_work", "booked", "sold", "lost", name="leadstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_lead_status_changes_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_lead_status_changes_lead_id_leads"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_status_changes")),
    )
    with op.batch_alter_table("lead_status_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lead_status_changes_lead_id"), ["lead_id"], unique=False)

    op.create_table(
        "contracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("apartment_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("salesperson_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("active", "cancelled", name="contractstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("buyer_full_name", sa.String(length=200), nullable=False),
        sa.Column("buyer_passport", sa.String(length=30), nullable=False),
        sa.Column("buyer_phone", sa.String(length=20), nullable=False),
        sa.Column("buyer_address", sa.String(length=300), nullable=False),
        sa.Column("currency", sa.Enum("UZS", "USD", name="currency", native_enum=False), nullable=False),
        sa.Column("price", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("discount", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("discount_reason", sa.String(length=300), nullable=False),
        sa.Column("discount_approved_by_id", sa.Integer(), nullable=True),
        sa.Column("total", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("down_payment", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["apartment_id"], ["apartments.id"], name=op.f("fk_contracts_apartment_id_apartments"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_contracts_booking_id_bookings"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["discount_approved_by_id"],
            ["users.id"],
            name=op.f("fk_contracts_discount_approved_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_contracts_lead_id_leads"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["salesperson_id"], ["users.id"], name=op.f("fk_contracts_salesperson_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_contracts_booking_id")),
        sa.UniqueConstraint("number", name=op.f("uq_contracts_number")),
    )
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.create_index("ix_contracts_lead_id", ["lead_id"], unique=False)
        batch_op.create_index("ix_contracts_salesperson_id", ["salesperson_id"], unique=False)

    op.create_table(
        "instalments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("down_payment", "monthly", name="instalmentkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("paid", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_instalments_contract_id_contracts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instalments")),
        sa.UniqueConstraint("contract_id", "seq", name="uq_instalments_contract_id_seq"),
    )
    with op.batch_alter_table("instalments", schema=None) as batch_op:
        batch_op.create_index("ix_instalments_due_date", ["due_date"], unique=False)

    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.create_index(
            "ix_leads_assigned_id_next_callback_at", ["assigned_id", "next_callback_at"], unique=False
        )


def downgrade() -> None:
    """Drop the pipeline, booking and contract tables."""
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index("ix_leads_assigned_id_next_callback_at")

    with op.batch_alter_table("instalments", schema=None) as batch_op:
        batch_op.drop_index("ix_instalments_due_date")

    op.drop_table("instalments")
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_index("ix_contracts_salesperson_id")
        batch_op.drop_index("ix_contracts_lead_id")

    op.drop_table("contracts")
    with op.batch_alter_table("lead_status_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lead_status_changes_lead_id"))

    op.drop_table("lead_status_changes")
    with op.batch_alter_table("lead_comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lead_comments_lead_id"))

    op.drop_table("lead_comments")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_bookings_active_apartment",
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.drop_index("ix_bookings_status_expires_at")
        batch_op.drop_index("ix_bookings_salesperson_id_status")
        batch_op.drop_index("ix_bookings_lead_id")

    op.drop_table("bookings")
    op.drop_table("counters")

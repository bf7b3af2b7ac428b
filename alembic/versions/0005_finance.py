"""Finance: payments (with idempotency keys), their allocations to instalments, exchange rates,
and the overdue mark on instalments.

Reviewed by hand: payments and allocations RESTRICT deletion (nothing is ever deleted; a
cancelled payment is kept and its allocations are reversed, not removed); one idempotency key
per payment (unique); money Numeric(16, 2), rates Numeric(18, 4).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the finance tables and the overdue mark."""
    op.create_table(
        "exchange_rates",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("uzs_per_usd", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_exchange_rates_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_exchange_rates")),
    )
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("currency", sa.Enum("UZS", "USD", name="currency", native_enum=False), nullable=False),
        sa.Column("rate", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("amount_in_contract_currency", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("paid_at", sa.Date(), nullable=False),
        sa.Column(
            "method",
            sa.Enum("cash", "card", "transfer", name="paymentmethod", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "type",
            sa.Enum("initial", "installment", "final", "hybrid", name="paymenttype", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("pending", "completed", "cancelled", name="paymentstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_payments_contract_id_contracts"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_payments_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_payments_idempotency_key")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index("ix_payments_contract_id_status", ["contract_id", "status"], unique=False)
        batch_op.create_index("ix_payments_paid_at", ["paid_at"], unique=False)

    op.create_table(
        "payment_allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("instalment_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["instalment_id"],
            ["instalments.id"],
            name=op.f("fk_payment_allocations_instalment_id_instalments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_payment_allocations_payment_id_payments"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_allocations")),
    )
    with op.batch_alter_table("payment_allocations", schema=None) as batch_op:
        batch_op.create_index("ix_payment_allocations_instalment_id", ["instalment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payment_allocations_payment_id"), ["payment_id"], unique=False)

    with op.batch_alter_table("instalments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("overdue_since", sa.Date(), nullable=True))


def downgrade() -> None:
    """Drop the finance tables and the overdue mark."""
    with op.batch_alter_table("instalments", schema=None) as batch_op:
        batch_op.drop_column("overdue_since")

    with op.batch_alter_table("payment_allocations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_allocations_payment_id"))
        batch_op.drop_index("ix_payment_allocations_instalment_id")

    op.drop_table("payment_allocations")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_paid_at")
        batch_op.drop_index("ix_payments_contract_id_status")

    op.drop_table("payments")
    op.drop_table("exchange_rates")

"""Dispatch: technicians, work orders on apartments, their pictures.

Reviewed by hand: a work order keeps its apartment (RESTRICT) and loses its contract or
technician reference when those go (SET NULL); pictures go with their order (CASCADE).
`scheduled_end` is stored beside the start so the overlap check of one technician's orders
reads one index range (`ix_work_orders_technician_start`); `version` counts edits for the
stale-edit check; `overrides` lists the conflicts a dispatcher confirmed.

Revision ID: 0013_dispatch
Revises: 0012_lead_search_index
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0013_dispatch"
down_revision: str | None = "0012_lead_search_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the technicians, work orders and work order pictures tables."""
    op.create_table(
        "technicians",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("color", sa.String(length=7), nullable=False),
        sa.Column("hours", sa.JSON(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_technicians_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technicians")),
        sa.UniqueConstraint("user_id", name=op.f("uq_technicians_user_id")),
    )
    op.create_table(
        "work_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("apartment_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum("handover", "defect", "viewing", "maintenance", name="orderkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "required_skill",
            sa.Enum(
                "electrician", "plumber", "finishing", "hvac", "general", name="skill", native_enum=False, length=20
            ),
            nullable=True,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "new", "scheduled", "in_progress", "done", "cancelled", name="orderstatus", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("cancel_reason", sa.String(length=500), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("scheduled_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("scheduled_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("technician_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("completion_note", sa.Text(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reopened", sa.Integer(), nullable=False),
        sa.Column("overrides", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["apartment_id"],
            ["apartments.id"],
            name=op.f("fk_work_orders_apartment_id_apartments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_work_orders_contract_id_contracts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_work_orders_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["technician_id"],
            ["technicians.id"],
            name=op.f("fk_work_orders_technician_id_technicians"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_orders")),
    )
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.create_index("ix_work_orders_apartment_id", ["apartment_id"], unique=False)
        batch_op.create_index("ix_work_orders_contract_id", ["contract_id"], unique=False)
        batch_op.create_index("ix_work_orders_status_due", ["status", "due_date"], unique=False)
        batch_op.create_index("ix_work_orders_technician_start", ["technician_id", "scheduled_start"], unique=False)

    op.create_table(
        "work_order_pictures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_order_id", sa.Integer(), nullable=False),
        sa.Column("stored_name", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_work_order_pictures_work_order_id_work_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_order_pictures")),
    )
    with op.batch_alter_table("work_order_pictures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_work_order_pictures_work_order_id"), ["work_order_id"], unique=False)


def downgrade() -> None:
    """Drop the pictures, work orders and technicians tables."""
    with op.batch_alter_table("work_order_pictures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_order_pictures_work_order_id"))

    op.drop_table("work_order_pictures")
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_work_orders_technician_start")
        batch_op.drop_index("ix_work_orders_status_due")
        batch_op.drop_index("ix_work_orders_contract_id")
        batch_op.drop_index("ix_work_orders_apartment_id")

    op.drop_table("work_orders")
    op.drop_table("technicians")

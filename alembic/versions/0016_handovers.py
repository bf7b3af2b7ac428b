"""Handovers of sold apartments: what was recorded at a handover order, and defects linked to it.

Reviewed by hand: `work_orders.parent_id` links a defect order to the handover that found it
(SET NULL when the handover is deleted); at most one open handover (new, scheduled, in progress)
per contract, by a partial unique index on both backends. `handovers` holds one row per handover
order (CASCADE with it): four meter readings as NUMERIC(12, 3), keys handed, the buyer's
acceptance with their name and the time, and who recorded it (SET NULL).

Revision ID: 0016_handovers
Revises: 0015_imports
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0016_handovers"
down_revision: str | None = "0015_imports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_HANDOVER = "kind = 'handover' AND status IN ('new', 'scheduled', 'in_progress')"
READINGS = ("electricity", "cold_water", "hot_water", "gas")


def upgrade() -> None:
    """Add work_orders.parent_id, the one-open-handover index and the handovers table."""
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_work_orders_parent_id_work_orders"), "work_orders", ["parent_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_index("ix_work_orders_parent_id", ["parent_id"], unique=False)
        batch_op.create_index(
            "uq_work_orders_open_handover",
            ["contract_id"],
            unique=True,
            sqlite_where=sa.text(OPEN_HANDOVER),
            postgresql_where=sa.text(OPEN_HANDOVER),
        )
    op.create_table(
        "handovers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_order_id", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Numeric(precision=12, scale=3), nullable=True) for name in READINGS),
        sa.Column("keys_count", sa.Integer(), nullable=False),
        sa.Column(
            "acceptance",
            sa.Enum("accepted", "with_remarks", "refused", name="acceptance", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("buyer_name", sa.String(length=200), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("remarks", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_handovers_work_order_id_work_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_handovers_recorded_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handovers")),
        sa.UniqueConstraint("work_order_id", name=op.f("uq_handovers_work_order_id")),
    )


def downgrade() -> None:
    """Drop the handovers table, the index and work_orders.parent_id."""
    op.drop_table("handovers")
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.drop_index("uq_work_orders_open_handover")
        batch_op.drop_index("ix_work_orders_parent_id")
        batch_op.drop_constraint(op.f("fk_work_orders_parent_id_work_orders"), type_="foreignkey")
        batch_op.drop_column("parent_id")

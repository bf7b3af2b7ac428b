"""Attendance shifts, automatic lead distribution and the MOP's nudges.

Reviewed by hand: `shifts` holds one row per check-in; the partial unique index
`uq_shifts_open_user` (WHERE checked_out_at IS NULL, on SQLite and PostgreSQL alike) makes a
second open shift of a user impossible, so two check-ins at once give one shift and one 409.
`distribution_settings` gets its single row (id 1, mode "auto": the demo and new installations
start in automatic mode); automatic assignment locks that row. `distribution_sellers` keeps each
salesperson's weight, daily cap and place in the weighted turn; `lead_assignments` says why each
lead went where (the lead's history); `nudges` are the MOP's reminders of late callbacks.
Deleting a user removes their shifts, turn and nudges (CASCADE); a deleted lead its history.

Revision ID: 0009_attendance_distribution
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0009_attendance_distribution"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the attendance, distribution and nudge tables; the settings row in automatic mode."""
    op.create_table(
        "shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_system", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_shifts_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shifts")),
    )
    op.create_index(
        "uq_shifts_open_user",
        "shifts",
        ["user_id"],
        unique=True,
        sqlite_where=sa.text("checked_out_at IS NULL"),
        postgresql_where=sa.text("checked_out_at IS NULL"),
    )
    op.create_index("ix_shifts_day_user_id", "shifts", ["day", "user_id"], unique=False)
    op.create_index("ix_shifts_user_id_day", "shifts", ["user_id", "day"], unique=False)

    op.create_table(
        "distribution_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "mode", sa.Enum("auto", "manual", name="distributionmode", native_enum=False, length=20), nullable=False
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_distribution_settings_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_distribution_settings")),
    )
    op.execute(
        sa.text("INSERT INTO distribution_settings (id, mode, updated_at) VALUES (1, 'auto', CURRENT_TIMESTAMP)")
    )

    op.create_table(
        "distribution_sellers",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("daily_cap", sa.Integer(), nullable=True),
        sa.Column("credit", sa.Integer(), nullable=False),
        sa.Column("last_assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_distribution_sellers_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_distribution_sellers")),
    )

    op.create_table(
        "lead_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("salesperson_id", sa.Integer(), nullable=True),
        sa.Column(
            "reason",
            sa.Enum(
                "turn",
                "cap_skipped",
                "returning",
                "queue",
                "waiting_absent",
                "waiting_cap",
                name="assignreason",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("skipped", sa.JSON(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_lead_assignments_lead_id_leads"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["salesperson_id"], ["users.id"], name=op.f("fk_lead_assignments_salesperson_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_assignments")),
    )
    op.create_index(op.f("ix_lead_assignments_lead_id"), "lead_assignments", ["lead_id"], unique=False)
    op.create_index("ix_lead_assignments_salesperson_id_at", "lead_assignments", ["salesperson_id", "at"], unique=False)

    op.create_table(
        "nudges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("salesperson_id", sa.Integer(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["by_id"], ["users.id"], name=op.f("fk_nudges_by_id_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name=op.f("fk_nudges_lead_id_leads"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["salesperson_id"], ["users.id"], name=op.f("fk_nudges_salesperson_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudges")),
    )
    op.create_index(op.f("ix_nudges_lead_id"), "nudges", ["lead_id"], unique=False)
    op.create_index("ix_nudges_salesperson_id_at", "nudges", ["salesperson_id", "at"], unique=False)


def downgrade() -> None:
    """Drop the nudge, distribution and attendance tables."""
    op.drop_index("ix_nudges_salesperson_id_at", table_name="nudges")
    op.drop_index(op.f("ix_nudges_lead_id"), table_name="nudges")
    op.drop_table("nudges")
    op.drop_index("ix_lead_assignments_salesperson_id_at", table_name="lead_assignments")
    op.drop_index(op.f("ix_lead_assignments_lead_id"), table_name="lead_assignments")
    op.drop_table("lead_assignments")
    op.drop_table("distribution_sellers")
    op.drop_table("distribution_settings")
    op.drop_index("ix_shifts_user_id_day", table_name="shifts")
    op.drop_index("ix_shifts_day_user_id", table_name="shifts")
    op.drop_index("uq_shifts_open_user", table_name="shifts")
    op.drop_table("shifts")

"""Buyers' request links: a link per contract (revocable), where each buyer request came from, and
two columns of work orders (who asked, and when the buyer would like the visit).

Reviewed by hand: a link keeps the nonce its signed token carries and is never deleted (revoked
instead); a partial unique index keeps one active link per contract. A request row remembers its
link and client address, counted by the throttle over the last hour (one index per count). The new
work-order columns are plain ALTER TABLE ADD COLUMN with a server default (no table rebuild on
SQLite, so the pictures' ON DELETE CASCADE is never triggered by a copy and drop).

Revision ID: 0017_buyer_links
Revises: 0016_handovers
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0017_buyer_links"
down_revision: str | None = "0016_handovers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SOURCES = ("staff", "buyer_request")


def upgrade() -> None:
    """Create service_links and service_requests; add work_orders.source and preferred_time."""
    op.create_table(
        "service_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_service_links_contract_id_contracts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_service_links_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_links")),
    )
    op.create_index(op.f("ix_service_links_contract_id"), "service_links", ["contract_id"], unique=False)
    op.create_index(
        "uq_service_links_active_contract",
        "service_links",
        ["contract_id"],
        unique=True,
        sqlite_where=sa.text("revoked_at IS NULL"),
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    op.create_table(
        "service_requests",
        sa.Column("work_order_id", sa.Integer(), nullable=False),
        sa.Column("service_link_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_link_id"],
            ["service_links.id"],
            name=op.f("fk_service_requests_service_link_id_service_links"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_service_requests_work_order_id_work_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("work_order_id", name=op.f("pk_service_requests")),
    )
    op.create_index("ix_service_requests_link_created", "service_requests", ["service_link_id", "created_at"])
    op.create_index("ix_service_requests_address_created", "service_requests", ["address", "created_at"])
    op.add_column(
        "work_orders",
        sa.Column(
            "source",
            sa.Enum(*SOURCES, name="ordersource", native_enum=False, length=20),
            nullable=False,
            server_default="staff",
        ),
    )
    op.add_column("work_orders", sa.Column("preferred_time", sa.String(length=200), nullable=False, server_default=""))


def downgrade() -> None:
    """Drop the work-order columns and both tables."""
    op.drop_column("work_orders", "preferred_time")
    op.drop_column("work_orders", "source")
    op.drop_index("ix_service_requests_address_created", table_name="service_requests")
    op.drop_index("ix_service_requests_link_created", table_name="service_requests")
    op.drop_table("service_requests")
    op.drop_index("uq_service_links_active_contract", table_name="service_links")
    op.drop_index(op.f("ix_service_links_contract_id"), table_name="service_links")
    op.drop_table("service_links")

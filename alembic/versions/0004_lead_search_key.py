"""Lead search key (lower-case name + phone digits) and an index for the status-filtered list.

Reviewed by hand: the column is added with a server default so existing rows are valid, then
filled in Python (SQLite's lower() folds ASCII only, Russian names need Python's).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add and fill leads.search_key; index leads by status and creation time."""
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_key", sa.String(length=260), nullable=False, server_default=""))
        batch_op.create_index("ix_leads_status_created_at", ["status", "created_at"], unique=False)
    leads = sa.table(
        "leads",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("phone", sa.String),
        sa.column("search_key", sa.String),
    )
    connection = op.get_bind()
    for lead_id, name, phone in connection.execute(sa.select(leads.c.id, leads.c.name, leads.c.phone)).all():
        key = f"{(name or '').lower()} {''.join(ch for ch in phone or '' if ch.isdigit())}"[:260]
        connection.execute(leads.update().where(leads.c.id == lead_id).values(search_key=key))


def downgrade() -> None:
    """Drop leads.search_key and its companion index."""
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index("ix_leads_status_created_at")
        batch_op.drop_column("search_key")

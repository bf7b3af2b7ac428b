"""Drop instalments.overdue_since: a daily job wrote it and no page or report read it.

Reviewed by hand: days overdue are computed from due dates and payments on the company's
today (finance reports, debts, the grid), which stays right even when the job did not run or a
cancelled payment reopened an instalment; the stored mark could do neither. Nothing else refers
to the column. The downgrade brings it back empty (nullable): the job that filled it is gone.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Drop the unread overdue mark."""
    with op.batch_alter_table("instalments", schema=None) as batch_op:
        batch_op.drop_column("overdue_since")


def downgrade() -> None:
    """Bring the (empty) overdue mark back."""
    with op.batch_alter_table("instalments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("overdue_since", sa.Date(), nullable=True))

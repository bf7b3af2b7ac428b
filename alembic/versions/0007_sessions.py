"""Server-side sessions (logout ends a token on the server) and the browser id on login failures.

Reviewed by hand: a session row per issued cookie or bearer token, its primary key is the
token's `sid` claim (the one lookup per request); deleting a user deletes their sessions
(CASCADE); `login_failures.device` is nullable (old rows and browsers without a known-device
cookie), indexed with `at` like the username and address columns. On SQLite the column is
added in batch mode.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the sessions table and add the browser id to login failures."""
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("via", sa.String(length=10), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_sessions_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    op.create_index(op.f("ix_sessions_user_id"), "sessions", ["user_id"], unique=False)
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("device", sa.String(length=32), nullable=True))
    op.create_index("ix_login_failures_device_at", "login_failures", ["device", "at"], unique=False)


def downgrade() -> None:
    """Drop the sessions table and the browser id of login failures."""
    op.drop_index("ix_login_failures_device_at", table_name="login_failures")
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_column("device")
    op.drop_index(op.f("ix_sessions_user_id"), table_name="sessions")
    op.drop_table("sessions")

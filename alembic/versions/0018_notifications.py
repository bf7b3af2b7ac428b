"""Notifications: the per-user switches and the journal of sent notifications.

Reviewed by hand: `sent_notifications` holds one row per send key (kind, object id, recipient,
due key) under a unique constraint, so a retried or duplicated job finds the key taken and sends
nothing; its status says whether a worker holds it, it went out, waits for the morning or failed.
Rows go with their recipient (CASCADE). `notification_settings` has one row per user who changed
a switch; every switch defaults to on, "callback urgent at night" to off.

Revision ID: 0018_notifications
Revises: 0017_buyer_links
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0018_notifications"
down_revision: str | None = "0017_buyer_links"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("new_lead", "callback_due", "booking_expiring", "extension_decision", "overdue_digest")
STATUSES = ("sending", "pending", "deferred", "sent", "unreachable", "failed", "dropped")
SWITCHES = KINDS


def upgrade() -> None:
    """Create the sent notifications journal and the notification settings."""
    op.create_table(
        "sent_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum(*KINDS, name="notifykind", native_enum=False, length=20), nullable=False),
        sa.Column("object_id", sa.BigInteger(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("due_key", sa.String(length=40), nullable=False),
        sa.Column("status", sa.Enum(*STATUSES, name="delivery", native_enum=False, length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["users.id"], name=op.f("fk_sent_notifications_recipient_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_notifications")),
        sa.UniqueConstraint("kind", "object_id", "recipient_id", "due_key", name="uq_sent_notifications_key"),
    )
    op.create_index(
        "ix_sent_notifications_status_not_before", "sent_notifications", ["status", "not_before"], unique=False
    )
    op.create_table(
        "notification_settings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Boolean(), nullable=False) for name in SWITCHES),
        sa.Column("callback_urgent_at_night", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notification_settings_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_settings")),
    )


def downgrade() -> None:
    """Drop the notification tables."""
    op.drop_table("notification_settings")
    op.drop_index("ix_sent_notifications_status_not_before", table_name="sent_notifications")
    op.drop_table("sent_notifications")

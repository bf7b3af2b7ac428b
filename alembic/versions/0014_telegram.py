"""Telegram: linked chats, one-time link codes, failed link attempts, the webhook's seen updates.

Reviewed by hand: one chat per user (user_id is the key) and one user per chat (unique chat_id);
deleting a user deletes their link and codes (CASCADE). Codes are stored as SHA-256 digests.
Failed attempts are indexed by (chat_id, at) for the throttle window; seen update ids by
seen_at so the expiry sweep is cheap. Chat and update ids are BIGINT (Telegram's exceed 2^31).

Revision ID: 0014_telegram
Revises: 0013_dispatch
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0014_telegram"
down_revision: str | None = "0013_dispatch"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the four Telegram tables."""
    op.create_table(
        "telegram_links",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unreachable_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_telegram_links_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_telegram_links")),
        sa.UniqueConstraint("chat_id", name=op.f("uq_telegram_links_chat_id")),
    )
    op.create_table(
        "telegram_link_codes",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_telegram_link_codes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_telegram_link_codes")),
    )
    op.create_index(op.f("ix_telegram_link_codes_user_id"), "telegram_link_codes", ["user_id"], unique=False)
    op.create_table(
        "telegram_link_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telegram_link_failures")),
    )
    op.create_index("ix_telegram_link_failures_chat_id_at", "telegram_link_failures", ["chat_id", "at"], unique=False)
    op.create_table(
        "telegram_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_telegram_updates")),
    )
    op.create_index(op.f("ix_telegram_updates_seen_at"), "telegram_updates", ["seen_at"], unique=False)


def downgrade() -> None:
    """Drop the four Telegram tables."""
    op.drop_index(op.f("ix_telegram_updates_seen_at"), table_name="telegram_updates")
    op.drop_table("telegram_updates")
    op.drop_index("ix_telegram_link_failures_chat_id_at", table_name="telegram_link_failures")
    op.drop_table("telegram_link_failures")
    op.drop_index(op.f("ix_telegram_link_codes_user_id"), table_name="telegram_link_codes")
    op.drop_table("telegram_link_codes")
    op.drop_table("telegram_links")

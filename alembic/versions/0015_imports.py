"""Imports of apartments and leads from files: the imports, their per-row outcomes, saved mappings.

Reviewed by hand: an import keeps the name of its stored file (under DATA_DIR/imports), how the
file is read (encoding, delimiter, sheet), its column mapping and counts as JSON; deleting an
import deletes its row outcomes (CASCADE); the admin who uploaded it is kept as a nullable
reference (SET NULL). One saved mapping per (kind, source).

Revision ID: 0015_imports
Revises: 0014_telegram
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0015_imports"
down_revision: str | None = "0014_telegram"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("apartments", "leads")
STATUSES = ("queued", "previewing", "preview", "applying", "done", "failed", "cancelled")
OUTCOMES = ("create", "update", "unchanged", "reject")


def upgrade() -> None:
    """Create the imports, import rows and import mappings tables."""
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum(*KINDS, name="importkind", native_enum=False, length=20), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("status", sa.Enum(*STATUSES, name="importstatus", native_enum=False, length=20), nullable=False),
        sa.Column("encoding", sa.String(length=20), nullable=False),
        sa.Column("delimiter", sa.String(length=1), nullable=False),
        sa.Column("sheet", sa.String(length=100), nullable=False),
        sa.Column("create_buildings", sa.Boolean(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_imports_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )
    op.create_index("ix_imports_created_at", "imports", ["created_at"], unique=False)
    op.create_table(
        "import_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.Enum(*OUTCOMES, name="outcome", native_enum=False, length=20), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=True),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_import_rows_import_id_imports"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_rows")),
    )
    op.create_index("ix_import_rows_import_id_outcome", "import_rows", ["import_id", "outcome", "line"], unique=False)
    op.create_table(
        "import_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum(*KINDS, name="importkind", native_enum=False, length=20), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_mappings")),
        sa.UniqueConstraint("kind", "source", name="uq_import_mappings_kind_source"),
    )


def downgrade() -> None:
    """Drop the import tables."""
    op.drop_table("import_mappings")
    op.drop_index("ix_import_rows_import_id_outcome", table_name="import_rows")
    op.drop_table("import_rows")
    op.drop_index("ix_imports_created_at", table_name="imports")
    op.drop_table("imports")

"""Inventory (complexes, images, buildings, apartments, floor grids) and leads with touches.

Reviewed by hand: money in Numeric, one lead per phone (unique), apartment number unique per
building, floor-grid versions unique per building and floor; enums stored as checked strings.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the inventory and leads tables."""
    op.create_table(
        "complexes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("currency", sa.Enum("UZS", "USD", name="currency", native_enum=False), nullable=False),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("inventory_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complexes")),
        sa.UniqueConstraint("slug", name=op.f("uq_complexes_slug")),
    )
    op.create_table(
        "buildings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complex_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("floors", sa.Integer(), nullable=False),
        sa.Column("sections", sa.Integer(), nullable=False),
        sa.CheckConstraint("floors >= 1 AND floors <= 100", name=op.f("ck_buildings_floors_range")),
        sa.CheckConstraint("sections >= 1 AND sections <= 50", name=op.f("ck_buildings_sections_range")),
        sa.ForeignKeyConstraint(
            ["complex_id"], ["complexes.id"], name=op.f("fk_buildings_complex_id_complexes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buildings")),
        sa.UniqueConstraint("complex_id", "name", name="uq_buildings_complex_id_name"),
    )
    with op.batch_alter_table("buildings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_buildings_complex_id"), ["complex_id"], unique=False)

    op.create_table(
        "complex_images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complex_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("caption", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complex_id"], ["complexes.id"], name=op.f("fk_complex_images_complex_id_complexes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complex_images")),
    )
    with op.batch_alter_table("complex_images", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complex_images_complex_id"), ["complex_id"], unique=False)

    op.create_table(
        "apartments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("section", sa.Integer(), nullable=False),
        sa.Column("floor", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("rooms", sa.Integer(), nullable=False),
        sa.Column("area", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("price_per_m2", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("total_price", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column(
            "status",
            sa.Enum("free", "booked", "sold", "not_for_sale", name="apartmentstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("layout_image", sa.String(length=300), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("area > 0", name=op.f("ck_apartments_area_positive")),
        sa.CheckConstraint("price_per_m2 >= 0", name=op.f("ck_apartments_price_non_negative")),
        sa.CheckConstraint("rooms >= 0 AND rooms <= 20", name=op.f("ck_apartments_rooms_range")),
        sa.ForeignKeyConstraint(
            ["building_id"], ["buildings.id"], name=op.f("fk_apartments_building_id_buildings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apartments")),
        sa.UniqueConstraint("building_id", "number", name="uq_apartments_building_id_number"),
    )
    with op.batch_alter_table("apartments", schema=None) as batch_op:
        batch_op.create_index("ix_apartments_building_floor", ["building_id", "floor"], unique=False)
        batch_op.create_index("ix_apartments_status", ["status"], unique=False)

    op.create_table(
        "floor_grids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("floor", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("cols", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("cells", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["building_id"], ["buildings.id"], name=op.f("fk_floor_grids_building_id_buildings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_floor_grids_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_floor_grids")),
        sa.UniqueConstraint("building_id", "floor", "version", name="uq_floor_grids_building_floor_version"),
    )
    op.create_table(
        "leads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "landing",
                "instagram",
                "telegram",
                "sheet",
                "call",
                "manual",
                "referral",
                name="leadsource",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("new", "in_work", "booked", "sold", "lost", name="leadstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "temperature",
            sa.Enum("hot", "warm", "cold", name="temperature", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("lost_reason", sa.String(length=300), nullable=False),
        sa.Column("complex_id", sa.Integer(), nullable=True),
        sa.Column("apartment_id", sa.Integer(), nullable=True),
        sa.Column("assigned_id", sa.Integer(), nullable=True),
        sa.Column("next_callback_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("utm_source", sa.String(length=100), nullable=False),
        sa.Column("utm_medium", sa.String(length=100), nullable=False),
        sa.Column("utm_campaign", sa.String(length=100), nullable=False),
        sa.Column("utm_content", sa.String(length=100), nullable=False),
        sa.Column("utm_term", sa.String(length=100), nullable=False),
        sa.Column("touches_count", sa.Integer(), nullable=False),
        sa.Column("last_touch_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["apartment_id"], ["apartments.id"], name=op.f("fk_leads_apartment_id_apartments"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["assigned_id"], ["users.id"], name=op.f("fk_leads_assigned_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["complex_id"], ["complexes.id"], name=op.f("fk_leads_complex_id_complexes"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leads")),
        sa.UniqueConstraint("phone", name=op.f("uq_leads_phone")),
    )
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.create_index("ix_leads_assigned_id_status", ["assigned_id", "status"], unique=False)
        batch_op.create_index("ix_leads_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_leads_status", ["status"], unique=False)

    op.create_table(
        "lead_touches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "landing",
                "instagram",
                "telegram",
                "sheet",
                "call",
                "manual",
                "referral",
                name="leadsource",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("complex_id", sa.Integer(), nullable=True),
        sa.Column("apartment_id", sa.Integer(), nullable=True),
        sa.Column("utm_source", sa.String(length=100), nullable=False),
        sa.Column("utm_medium", sa.String(length=100), nullable=False),
        sa.Column("utm_campaign", sa.String(length=100), nullable=False),
        sa.Column("utm_content", sa.String(length=100), nullable=False),
        sa.Column("utm_term", sa.String(length=100), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["apartment_id"],
            ["apartments.id"],
            name=op.f("fk_lead_touches_apartment_id_apartments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["complex_id"], ["complexes.id"], name=op.f("fk_lead_touches_complex_id_complexes"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_lead_touches_lead_id_leads"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_touches")),
    )
    with op.batch_alter_table("lead_touches", schema=None) as batch_op:
        batch_op.create_index("ix_lead_touches_address_at", ["address", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_lead_touches_lead_id"), ["lead_id"], unique=False)


def downgrade() -> None:
    """Drop the inventory and leads tables."""
    with op.batch_alter_table("lead_touches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lead_touches_lead_id"))
        batch_op.drop_index("ix_lead_touches_address_at")

    op.drop_table("lead_touches")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index("ix_leads_status")
        batch_op.drop_index("ix_leads_created_at")
        batch_op.drop_index("ix_leads_assigned_id_status")

    op.drop_table("leads")
    op.drop_table("floor_grids")
    with op.batch_alter_table("apartments", schema=None) as batch_op:
        batch_op.drop_index("ix_apartments_status")
        batch_op.drop_index("ix_apartments_building_floor")

    op.drop_table("apartments")
    with op.batch_alter_table("complex_images", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complex_images_complex_id"))

    op.drop_table("complex_images")
    with op.batch_alter_table("buildings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_buildings_complex_id"))

    op.drop_table("buildings")
    op.drop_table("complexes")

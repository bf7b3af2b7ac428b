"""app.db.insert_many: rows written in one executemany read back as the ORM wrote them."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from app.auth.permissions import Role
from app.db import insert_many
from app.domain.audit.models import AuditEntry
from app.domain.leads.models import Lead, LeadSource, LeadStatus


def test_bulk_rows_read_back_with_their_types_and_defaults(db, user_of):
    """Enums, JSON and datetimes convert as the column types say; missing columns get their defaults."""
    admin = user_of(Role.ADMIN)
    insert_many(
        db,
        Lead.__table__,
        [
            {"name": f"Клиент {i}", "phone": f"+99890000000{i}", "source": LeadSource.SHEET, "status": LeadStatus.NEW}
            for i in range(3)
        ],
    )
    insert_many(
        db,
        AuditEntry.__table__,
        [{"actor_id": admin.id, "entity": "lead", "entity_id": "1", "action": "import", "after": {"price": "1.50"}}],
    )
    leads = db.scalars(select(Lead).where(Lead.phone.like("+99890000000%")).order_by(Lead.phone)).all()
    assert [(lead.name, lead.source, lead.status) for lead in leads] == [
        (f"Клиент {i}", LeadSource.SHEET, LeadStatus.NEW) for i in range(3)
    ]
    assert all(lead.created_at is not None and lead.created_at.tzinfo is not None for lead in leads)
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "import")).one()
    assert Decimal(entry.after["price"]) == Decimal("1.50")
    assert entry.at.tzinfo is not None

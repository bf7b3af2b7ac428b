"""app.db.insert_many: rows written in bulk (multi-row VALUES on SQLite, COPY on PostgreSQL) read
back as the ORM wrote them; a refused row raises as SQLAlchemy's own statements do."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

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


def test_awkward_text_and_json_round_trip(db):
    """Tabs, line breaks, backslashes, quotes and Cyrillic survive, in text and in JSON."""
    name = "Тab\there\nline \\ back \"quoted\" 'single' \\N"
    insert_many(
        db,
        Lead.__table__,
        [{"name": name, "phone": "+998900000101", "source": LeadSource.SHEET, "status": LeadStatus.NEW}],
    )
    insert_many(db, AuditEntry.__table__, [{"entity": "lead", "entity_id": "1", "action": "t", "after": {"n": name}}])
    assert db.scalar(select(Lead.name).where(Lead.phone == "+998900000101")) == name
    assert db.scalars(select(AuditEntry).where(AuditEntry.action == "t")).one().after == {"n": name}


def test_a_refused_row_raises_integrity_error_and_the_savepoint_keeps_nothing(db):
    row = {"name": "A", "phone": "+998900000201", "source": LeadSource.SHEET, "status": LeadStatus.NEW}
    savepoint = db.begin_nested()
    with pytest.raises(IntegrityError):
        insert_many(db, Lead.__table__, [row, dict(row)])  # one phone twice
    savepoint.rollback()
    assert db.scalar(select(func.count()).where(Lead.phone == "+998900000201")) == 0
    insert_many(db, Lead.__table__, [row])  # the session goes on
    assert db.scalar(select(func.count()).where(Lead.phone == "+998900000201")) == 1

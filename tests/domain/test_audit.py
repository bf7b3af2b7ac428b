"""The audit log: appended in the caller's transaction, filterable."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from app.auth.permissions import Role
from app.core import clock
from app.domain.audit.crud import audit
from app.domain.audit.schemas import AuditFilter
from tests.factories import make_user


def test_record_stores_json_safe_snapshots(db):
    actor = make_user(db, Role.FINANCE)
    entry = audit.record(
        db,
        actor,
        "payment",
        7,
        "create",
        None,
        {"amount": Decimal("10.50"), "role": Role.SALES, "due": date(2026, 1, 2)},
    )
    assert entry.after == {"amount": "10.50", "role": "sales", "due": "2026-01-02"}
    assert entry.changed_fields == ["amount", "due", "role"]


def test_entries_vanish_with_a_rolled_back_transaction(db):
    actor = make_user(db, Role.ADMIN)
    savepoint = db.begin_nested()
    audit.record(db, actor, "user", 1, "update", {"a": 1}, {"a": 2})
    savepoint.rollback()
    assert audit.page(db, AuditFilter(entity="user", entity_id="1", actor_id=actor.id)).total == 0


def test_page_filters(db):
    alice, bob = make_user(db, Role.ADMIN), make_user(db, Role.ADMIN)
    audit.record(db, alice, "user", 1, "create")
    audit.record(db, bob, "user", 2, "update")
    audit.record(db, bob, "booking", 3, "cancel")
    assert audit.page(db, AuditFilter(actor_id=bob.id)).total == 2
    assert audit.page(db, AuditFilter(actor=bob.username.upper())).total == 2
    assert [e.entity for e in audit.page(db, AuditFilter(actor_id=bob.id, entity="booking")).items] == ["booking"]
    assert audit.page(db, AuditFilter(actor_id=alice.id, action="create")).total == 1
    today = clock.today()
    assert audit.page(db, AuditFilter(actor_id=bob.id, date_from=today - timedelta(days=1), date_to=today)).total == 2
    assert audit.page(db, AuditFilter(actor_id=bob.id, date_to=today - timedelta(days=2))).total == 0
    newest_first = audit.page(db, AuditFilter(actor_id=bob.id)).items
    assert [e.action for e in newest_first] == ["cancel", "update"]
    assert [e.action for e in audit.recent_by(db, bob)] == ["cancel", "update"]

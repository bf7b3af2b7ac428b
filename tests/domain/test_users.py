"""UserCRUD rules, each change audited in the same transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.auth.crud import users
from app.auth.passwords import verify_password
from app.auth.permissions import Role
from app.auth.schemas import PasswordChange, UserCreate, UserFilter, UserUpdate
from app.core.errors import Conflict, Invalid, NotFound
from app.domain.audit.models import AuditEntry
from tests.factories import PASSWORD, make_user


def audit_of(db, user_id):
    q = select(AuditEntry).where(AuditEntry.entity == "user", AuditEntry.entity_id == str(user_id))
    return list(db.scalars(q.order_by(AuditEntry.id)))


def test_create_hashes_password_normalises_phone_and_audits(db):
    admin = make_user(db, Role.ADMIN)
    data = UserCreate(username="Aziz", role=Role.SALES, password="secret-123", phone="90 123 45 67")
    user = users.create(db, admin, data)
    assert user.username == "aziz"
    assert user.phone == "+998901234567"
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, "secret-123")
    [entry] = audit_of(db, user.id)
    assert (entry.action, entry.actor_id) == ("create", admin.id)
    assert entry.after["role"] == "sales" and "password_hash" not in entry.after


def test_duplicate_username_conflicts(db):
    make_user(db, Role.SALES, username="taken")
    with pytest.raises(Conflict):
        users.create(db, None, UserCreate(username="TAKEN", role=Role.MOP, password="secret-123"))


@pytest.mark.parametrize("phone", ["abc", "123", "+1 555"])
def test_invalid_phone_is_refused(phone):
    with pytest.raises(ValueError, match="phone"):
        UserCreate(username="someone", role=Role.MOP, password="secret-123", phone=phone)


def test_update_records_before_and_after(db):
    admin = make_user(db, Role.ADMIN)
    user = make_user(db, Role.SALES, full_name="Old Name")
    version = user.token_version
    users.update(db, admin, user.id, UserUpdate(full_name="New Name", role=Role.MOP, language="en"))
    entry = audit_of(db, user.id)[-1]
    assert entry.before["full_name"] == "Old Name" and entry.after["full_name"] == "New Name"
    assert entry.before["role"] == "sales" and entry.after["role"] == "mop"
    assert set(entry.changed_fields) == {"full_name", "role", "language"}
    assert user.token_version == version + 1  # a role change ends sessions


def test_admin_cannot_change_own_role_or_deactivate_self(db):
    admin = make_user(db, Role.ADMIN)
    with pytest.raises(Invalid):
        users.update(db, admin, admin.id, UserUpdate(role=Role.SALES))
    with pytest.raises(Invalid):
        users.set_active(db, admin, admin.id, False)


def test_deactivate_and_reactivate(db):
    admin = make_user(db, Role.ADMIN)
    user = make_user(db, Role.SALES)
    users.set_active(db, admin, user.id, False)
    assert not user.is_active
    users.set_active(db, admin, user.id, True)
    assert user.is_active
    assert [e.action for e in audit_of(db, user.id)] == ["deactivate", "activate"]


def test_change_own_password_checks_current(db):
    user = make_user(db, Role.SALES)
    with pytest.raises(Invalid) as error:
        users.change_own_password(db, user, PasswordChange(current_password="wrong", password="new-password"))
    assert error.value.field == "current_password"
    users.change_own_password(db, user, PasswordChange(current_password=PASSWORD, password="new-password"))
    assert verify_password(user.password_hash, "new-password")


def test_get_missing_user(db):
    with pytest.raises(NotFound):
        users.get(db, 999999)


def test_page_filters_searches_and_sorts(db):
    make_user(db, Role.SALES, username="zeta", full_name="Zeta Seller")
    make_user(db, Role.SALES, username="alpha", full_name="Alpha Seller", is_active=False)
    make_user(db, Role.MOP, username="mike", full_name="Mike Manager", phone="+998901112233")
    page = users.page(db, UserFilter(role=Role.SALES, q="seller", sort="-username"))
    assert [u.username for u in page.items] == ["zeta", "alpha"]
    assert page.total == 2
    assert [u.username for u in users.page(db, UserFilter(active=False, q="seller")).items] == ["alpha"]
    assert [u.username for u in users.page(db, UserFilter(q="1112233")).items] == ["mike"]
    second = users.page(db, UserFilter(q="seller", page=2, page_size=1, sort="username"))
    assert [u.username for u in second.items] == ["zeta"] and second.pages == 2


def test_search_folds_cyrillic_case(db):
    make_user(db, Role.SALES, username="aziz", full_name="Азиз Каримов")
    assert [u.username for u in users.page(db, UserFilter(q="азиз")).items] == ["aziz"]
    assert [u.username for u in users.page(db, UserFilter(q="КАРИМ")).items] == ["aziz"]

"""House rules of authorization: every permission is granted and enforced, and who may do
what is decided only by the permission table (no role sets or role comparisons elsewhere)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.auth.deps import Viewer
from app.auth.permissions import ROLE_PERMISSIONS, P, Role, can, has_permission
from tests.factories import make_user

ROOT = Path(__file__).resolve().parent.parent
PERMISSIONS_FILE = ROOT / "app" / "auth" / "permissions.py"
NAMES = sorted(name for name in vars(P) if name.isupper())

# Decisions taken on a role instead of a permission.
ROLE_DECISIONS = [
    re.compile(r"\b(actor|user|viewer|seller)\.role\s*(==|!=|\bin\b|\bnot in\b)"),
    re.compile(r"(?<![.\w])role\s*(==|!=)\s*Role\."),
    re.compile(r"frozenset\(\{\s*Role\."),
    re.compile(r"\bin \(Role\.\w+,"),
    re.compile(r"has_permission\(\s*(actor|user|viewer)\.role"),
]
TEMPLATE_DECISIONS = [
    re.compile(r"role\.value\s*(==|!=)"),
    re.compile(r"""\bcan\(\s*["']"""),
    re.compile(r"""\brole_can\([^)]*["'][a-z_]+:[a-z_]+["']"""),
]


def sources() -> dict[Path, str]:
    """The application's Python files and templates (the permission table itself left out)."""
    files = [p for p in (ROOT / "app").rglob("*.py") if p != PERMISSIONS_FILE]
    files += list((ROOT / "templates").rglob("*.html"))
    return {path: path.read_text(encoding="utf-8") for path in files}


SOURCES = sources()


@pytest.mark.parametrize("name", NAMES)
def test_every_permission_is_granted_to_some_role(name):
    value = getattr(P, name)
    assert any(value in granted for granted in ROLE_PERMISSIONS.values()), f"P.{name} is held by no role"


@pytest.mark.parametrize("name", [n for n in NAMES if not n.startswith("DASHBOARD_")])
def test_every_permission_is_checked_somewhere(name):
    pattern = re.compile(rf"\bP\.{name}\b")
    users = [path for path, text in SOURCES.items() if pattern.search(text)]
    assert users, f"P.{name} is declared but nothing checks it"


def test_admin_holds_every_permission_and_each_role_its_own_dashboard():
    every = {getattr(P, name) for name in NAMES}
    assert ROLE_PERMISSIONS[Role.ADMIN] == every
    for role in Role:
        assert has_permission(role, f"dashboard:{role.value}")
        others = {f"dashboard:{r.value}" for r in Role if r not in (role, Role.ADMIN)}
        assert role == Role.ADMIN or not (ROLE_PERMISSIONS[role] & others)


MOUNT_TABLE = ROOT / "app" / "roles.py"  # the other table: which role mounts which feature


def test_no_role_decisions_outside_the_permission_table():
    found = []
    for path, text in SOURCES.items():
        if path == MOUNT_TABLE:
            continue
        rules = TEMPLATE_DECISIONS if path.suffix == ".html" else ROLE_DECISIONS
        for number, line in enumerate(text.splitlines(), 1):
            if any(rule.search(line) for rule in rules):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "decide with can(actor, P.X) / can(P.X):\n" + "\n".join(found)


def test_can_reads_the_table_and_refuses_nobody_and_inactive_users(db):
    cashier = make_user(db, Role.FINANCE)
    seller = make_user(db, Role.SALES)
    assert can(cashier, P.PAYMENTS_RECORD) and not can(seller, P.PAYMENTS_RECORD)
    assert can(Viewer.of(cashier), P.FINANCE_READ) and not can(Viewer.of(seller), P.FINANCE_READ)
    assert not can(None, P.PROFILE_WRITE)
    cashier.is_active = False
    assert not can(cashier, P.PAYMENTS_RECORD) and not can(cashier, P.PROFILE_WRITE)


def test_every_dashboard_permission_guards_its_dashboard():
    """Dashboards are guarded by role_guard (mounted by app/roles.py); the permission matrix sends the requests."""
    from app.auth.deps import role_guard
    from app.auth.permissions import dashboard_permission

    dashboards = {getattr(P, n) for n in NAMES if n.startswith("DASHBOARD_")}
    assert dashboards == {dashboard_permission(role) for role in Role}
    assert {role_guard(role).permission for role in Role} == dashboards

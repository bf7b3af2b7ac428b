"""Roles and the permissions each role holds, declared once for server and templates."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """The six staff roles; a user has exactly one."""

    ADMIN = "admin"
    SALES = "sales"
    MOP = "mop"
    ROP = "rop"
    FINANCE = "finance"
    DISPATCHER = "dispatcher"


ROLE_LABELS = {
    Role.ADMIN: "Admin",
    Role.SALES: "Salesperson",
    Role.MOP: "Sales manager (MOP)",
    Role.ROP: "Head of sales (ROP)",
    Role.FINANCE: "Financier",
    Role.DISPATCHER: "Dispatcher",
}


class P:
    """Permission names; check with `require(P.X)` on routes and `can(P.X)` in templates."""

    USERS_READ = "users:read"
    USERS_WRITE = "users:write"
    AUDIT_READ = "audit:read"
    TEAM_READ = "team:read"
    PROFILE_WRITE = "profile:write"
    INVENTORY_READ = "inventory:read"
    INVENTORY_WRITE = "inventory:write"
    LEADS_READ = "leads:read"
    LEADS_WRITE = "leads:write"
    LEADS_ASSIGN = "leads:assign"
    BOOKINGS_READ = "bookings:read"
    BOOKINGS_WRITE = "bookings:write"
    EXTENSIONS_DECIDE = "bookings:decide_extensions"
    CONTRACTS_READ = "contracts:read"
    CONTRACTS_WRITE = "contracts:write"
    CONTRACTS_CANCEL = "contracts:cancel"
    LEADS_READ_ALL = "leads:read_all"
    DASHBOARD_ADMIN = "dashboard:admin"
    DASHBOARD_SALES = "dashboard:sales"
    DASHBOARD_MOP = "dashboard:mop"
    DASHBOARD_ROP = "dashboard:rop"
    DASHBOARD_FINANCE = "dashboard:finance"
    DASHBOARD_DISPATCHER = "dashboard:dispatcher"


def dashboard_permission(role: Role) -> str:
    """The permission that opens `role`'s dashboard and its JSON twin."""
    return f"dashboard:{role.value}"


_EVERY_DASHBOARD = frozenset(dashboard_permission(r) for r in Role)
_STAFF = frozenset({P.PROFILE_WRITE})
_SELLS_OR_ACCOUNTS = frozenset({P.INVENTORY_READ})

ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.ADMIN: _STAFF
    | _EVERY_DASHBOARD
    | _SELLS_OR_ACCOUNTS
    | {
        P.USERS_READ,
        P.USERS_WRITE,
        P.AUDIT_READ,
        P.TEAM_READ,
        P.INVENTORY_WRITE,
        P.LEADS_READ,
        P.LEADS_READ_ALL,
        P.LEADS_WRITE,
        P.LEADS_ASSIGN,
        P.BOOKINGS_READ,
        P.BOOKINGS_WRITE,
        P.EXTENSIONS_DECIDE,
        P.CONTRACTS_READ,
        P.CONTRACTS_WRITE,
        P.CONTRACTS_CANCEL,
    },
    Role.SALES: _STAFF
    | _SELLS_OR_ACCOUNTS
    | {
        P.DASHBOARD_SALES,
        P.LEADS_READ,
        P.LEADS_WRITE,
        P.BOOKINGS_READ,
        P.BOOKINGS_WRITE,
        P.CONTRACTS_READ,
        P.CONTRACTS_WRITE,
    },
    Role.MOP: _STAFF
    | _SELLS_OR_ACCOUNTS
    | {
        P.DASHBOARD_MOP,
        P.TEAM_READ,
        P.LEADS_READ,
        P.LEADS_READ_ALL,
        P.LEADS_WRITE,
        P.LEADS_ASSIGN,
        P.BOOKINGS_READ,
        P.EXTENSIONS_DECIDE,
        P.CONTRACTS_READ,
    },
    Role.ROP: _STAFF
    | _SELLS_OR_ACCOUNTS
    | {
        P.DASHBOARD_ROP,
        P.TEAM_READ,
        P.LEADS_READ,
        P.LEADS_READ_ALL,
        P.BOOKINGS_READ,
        P.CONTRACTS_READ,
        P.CONTRACTS_WRITE,
    },
    Role.FINANCE: _STAFF | _SELLS_OR_ACCOUNTS | {P.DASHBOARD_FINANCE, P.CONTRACTS_READ},
    Role.DISPATCHER: _STAFF | {P.DASHBOARD_DISPATCHER},
}


def has_permission(role: Role | str | None, permission: str) -> bool:
    """True when `role` holds `permission`."""
    if role is None:
        return False
    return permission in ROLE_PERMISSIONS.get(Role(role), frozenset())

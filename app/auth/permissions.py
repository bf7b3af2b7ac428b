"""Roles and the permissions each role holds, declared once for server and templates."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol


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
    """Permission names: `can(actor, P.X)` in the domain, `require(P.X)` on routes, `can(P.X)` in templates."""

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
    LEADS_MERGE = "leads:merge"
    BOOKINGS_READ_ALL = "bookings:read_all"
    BOOKINGS_CANCEL = "bookings:cancel"
    CONTRACTS_READ_ALL = "contracts:read_all"
    DISCOUNT_APPROVE = "contracts:approve_discount"
    PAYMENTS_READ = "payments:read"
    PAYMENTS_READ_ALL = "payments:read_all"
    PAYMENTS_RECORD = "payments:record"
    PAYMENTS_CANCEL = "payments:cancel"
    RATES_WRITE = "rates:write"
    FINANCE_READ = "finance:read"
    REPORTS_READ = "finance:reports"
    ATTENDANCE_CHECK = "attendance:check"
    TELEGRAM_LINK = "telegram:link"
    NOTIFY_SETTINGS = "notify:settings"
    OVERDUE_DIGEST = "notify:overdue_digest"
    ATTENDANCE_READ_ALL = "attendance:read_all"
    DISTRIBUTION_MANAGE = "leads:distribution"
    SALES_KPI = "sales:kpi"
    PLANS_WRITE = "plans:write"
    MARKETING_READ = "marketing:read"
    MARKETING_WRITE = "marketing:write"
    IMPORTS_RUN = "imports:run"
    WORK_ORDERS_READ = "work_orders:read"
    WORK_ORDERS_READ_ALL = "work_orders:read_all"
    WORK_ORDERS_WRITE = "work_orders:write"
    TECHNICIANS_WRITE = "technicians:write"
    DISPATCH_REPORTS = "dispatch:reports"
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
_STAFF = frozenset({P.PROFILE_WRITE, P.ATTENDANCE_CHECK, P.TELEGRAM_LINK, P.NOTIFY_SETTINGS})
_SELLS_OR_ACCOUNTS = frozenset({P.INVENTORY_READ})
_EVERY_PERMISSION = frozenset(
    value for name, value in vars(P).items() if name.isupper() and not name.startswith("DASHBOARD_")
)

ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.ADMIN: _EVERY_PERMISSION | _EVERY_DASHBOARD,
    Role.SALES: _STAFF
    | _SELLS_OR_ACCOUNTS
    | {
        P.DASHBOARD_SALES,
        P.LEADS_READ,
        P.LEADS_WRITE,
        P.BOOKINGS_READ,
        P.BOOKINGS_WRITE,
        P.BOOKINGS_CANCEL,
        P.CONTRACTS_READ,
        P.CONTRACTS_WRITE,
        P.PAYMENTS_READ,
        P.WORK_ORDERS_READ,
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
        P.LEADS_MERGE,
        P.BOOKINGS_READ,
        P.BOOKINGS_READ_ALL,
        P.BOOKINGS_CANCEL,
        P.EXTENSIONS_DECIDE,
        P.OVERDUE_DIGEST,
        P.ATTENDANCE_READ_ALL,
        P.DISTRIBUTION_MANAGE,
        P.CONTRACTS_READ,
        P.CONTRACTS_READ_ALL,
        P.PAYMENTS_READ,
        P.PAYMENTS_READ_ALL,
    },
    Role.ROP: _STAFF
    | _SELLS_OR_ACCOUNTS
    | {
        P.DASHBOARD_ROP,
        P.TEAM_READ,
        P.LEADS_READ,
        P.LEADS_READ_ALL,
        P.BOOKINGS_READ,
        P.BOOKINGS_READ_ALL,
        P.CONTRACTS_READ,
        P.CONTRACTS_READ_ALL,
        P.CONTRACTS_WRITE,
        P.DISCOUNT_APPROVE,
        P.PAYMENTS_READ,
        P.PAYMENTS_READ_ALL,
        P.REPORTS_READ,
        P.SALES_KPI,
        P.PLANS_WRITE,
        P.MARKETING_READ,
        P.MARKETING_WRITE,
    },
    Role.FINANCE: _STAFF
    | _SELLS_OR_ACCOUNTS
    | {
        P.DASHBOARD_FINANCE,
        P.BOOKINGS_READ_ALL,
        P.CONTRACTS_READ,
        P.CONTRACTS_READ_ALL,
        P.PAYMENTS_READ,
        P.PAYMENTS_READ_ALL,
        P.PAYMENTS_RECORD,
        P.PAYMENTS_CANCEL,
        P.RATES_WRITE,
        P.FINANCE_READ,
        P.REPORTS_READ,
    },
    Role.DISPATCHER: _STAFF
    | {
        P.DASHBOARD_DISPATCHER,
        P.WORK_ORDERS_READ,
        P.WORK_ORDERS_READ_ALL,
        P.WORK_ORDERS_WRITE,
        P.TECHNICIANS_WRITE,
        P.DISPATCH_REPORTS,
    },
}


class Actor(Protocol):
    """Whoever acts: a User, or the logged-in user's snapshot that templates see."""

    role: Role
    is_active: bool


def has_permission(role: Role | str | None, permission: str) -> bool:
    """True when `role` holds `permission` (what a role's dashboard offers)."""
    if role is None:
        return False
    return permission in ROLE_PERMISSIONS.get(Role(role), frozenset())


def can(actor: Actor | None, permission: str) -> bool:
    """True when `actor` is an active user whose role holds `permission`."""
    if actor is None or not actor.is_active:
        return False
    return has_permission(actor.role, permission)

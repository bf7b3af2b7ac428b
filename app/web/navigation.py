"""The role navigation shown in the base layout."""

from __future__ import annotations

from dataclasses import dataclass

from app.auth.permissions import ROLE_LABELS, P, Role, can, dashboard_permission


@dataclass(frozen=True)
class NavItem:
    """One link in the side navigation; `label` is an English msgid."""

    label: str
    href: str
    permission: str
    active: bool = False


ROLE_MENUS: dict[Role, list[NavItem]] = {
    Role.ADMIN: [
        NavItem("Dashboard", "/dashboard/admin/", P.DASHBOARD_ADMIN),
        NavItem("Users", "/dashboard/admin/users", P.USERS_READ),
        NavItem("Audit log", "/dashboard/admin/audit", P.AUDIT_READ),
        NavItem("Complexes", "/dashboard/admin/complexes", P.INVENTORY_WRITE),
        NavItem("Apartments", "/dashboard/admin/apartments", P.INVENTORY_WRITE),
        NavItem("Apartment grid", "/dashboard/admin/grid", P.INVENTORY_READ),
        NavItem("Leads", "/dashboard/admin/leads", P.LEADS_READ_ALL),
        NavItem("Pipeline", "/dashboard/admin/kanban", P.LEADS_WRITE),
        NavItem("Callbacks", "/dashboard/admin/callbacks", P.LEADS_WRITE),
        NavItem("Bookings", "/dashboard/admin/bookings", P.BOOKINGS_READ),
        NavItem("Lead distribution", "/dashboard/admin/assign", P.LEADS_ASSIGN),
        NavItem("Booking extensions", "/dashboard/admin/extensions", P.EXTENSIONS_DECIDE),
        NavItem("Contracts", "/dashboard/admin/contracts", P.CONTRACTS_READ),
        NavItem("Balances", "/dashboard/finance/balances", P.FINANCE_READ),
        NavItem("Debts", "/dashboard/finance/debts", P.FINANCE_READ),
        NavItem("Payments", "/dashboard/finance/payments", P.FINANCE_READ),
        NavItem("Cash flow", "/dashboard/finance/cashflow", P.FINANCE_READ),
        NavItem("Exchange rates", "/dashboard/finance/rates", P.RATES_WRITE),
    ],
    Role.SALES: [
        NavItem("Dashboard", "/dashboard/sales/", P.DASHBOARD_SALES),
        NavItem("My leads", "/dashboard/sales/leads", P.LEADS_READ),
        NavItem("Pipeline", "/dashboard/sales/kanban", P.LEADS_WRITE),
        NavItem("Callbacks", "/dashboard/sales/callbacks", P.LEADS_WRITE),
        NavItem("My bookings", "/dashboard/sales/bookings", P.BOOKINGS_READ),
        NavItem("Apartment grid", "/dashboard/sales/grid", P.INVENTORY_READ),
        NavItem("Contracts", "/dashboard/sales/contracts", P.CONTRACTS_READ),
    ],
    Role.MOP: [
        NavItem("Dashboard", "/dashboard/mop/", P.DASHBOARD_MOP),
        NavItem("Leads", "/dashboard/mop/leads", P.LEADS_READ_ALL),
        NavItem("Pipeline", "/dashboard/mop/kanban", P.LEADS_WRITE),
        NavItem("Callbacks", "/dashboard/mop/callbacks", P.LEADS_WRITE),
        NavItem("Bookings", "/dashboard/mop/bookings", P.BOOKINGS_READ),
        NavItem("Lead distribution", "/dashboard/mop/assign", P.LEADS_ASSIGN),
        NavItem("Booking extensions", "/dashboard/mop/extensions", P.EXTENSIONS_DECIDE),
        NavItem("Apartment grid", "/dashboard/mop/grid", P.INVENTORY_READ),
        NavItem("Contracts", "/dashboard/mop/contracts", P.CONTRACTS_READ),
    ],
    Role.ROP: [
        NavItem("Dashboard", "/dashboard/rop/", P.DASHBOARD_ROP),
        NavItem("Leads", "/dashboard/rop/leads", P.LEADS_READ_ALL),
        NavItem("Apartment grid", "/dashboard/rop/grid", P.INVENTORY_READ),
        NavItem("Bookings", "/dashboard/rop/bookings", P.BOOKINGS_READ),
        NavItem("Contracts", "/dashboard/rop/contracts", P.CONTRACTS_READ),
    ],
    Role.FINANCE: [
        NavItem("Dashboard", "/dashboard/finance/", P.DASHBOARD_FINANCE),
        NavItem("Balances", "/dashboard/finance/balances", P.FINANCE_READ),
        NavItem("Debts", "/dashboard/finance/debts", P.FINANCE_READ),
        NavItem("Payments", "/dashboard/finance/payments", P.FINANCE_READ),
        NavItem("Cash flow", "/dashboard/finance/cashflow", P.FINANCE_READ),
        NavItem("Exchange rates", "/dashboard/finance/rates", P.RATES_WRITE),
        NavItem("Apartment grid", "/dashboard/finance/grid", P.INVENTORY_READ),
        NavItem("Contracts", "/dashboard/finance/contracts", P.CONTRACTS_READ),
    ],
    Role.DISPATCHER: [NavItem("Dashboard", "/dashboard/dispatcher/", P.DASHBOARD_DISPATCHER)],
}

DASHBOARDS = [NavItem(ROLE_LABELS[role], f"/dashboard/{role.value}/", dashboard_permission(role)) for role in Role]


def navigation_for(user, path: str) -> list[NavItem]:
    """The links `user` may follow, the one matching `path` marked active; then the other
    roles' dashboards the user may open."""
    items = [item for item in ROLE_MENUS[user.role] if can(user, item.permission)]
    own = dashboard_permission(user.role)
    items += [d for d in DASHBOARDS if d.permission != own and can(user, d.permission)]
    return [NavItem(i.label, i.href, i.permission, _is_active(i.href, path)) for i in items]


def _is_active(href: str, path: str) -> bool:
    """A section link is active on its own pages; a dashboard home only on itself."""
    return path == href or (not href.endswith("/") and path.startswith(href + "/"))

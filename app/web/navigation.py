"""The role navigation shown in the base layout."""

from __future__ import annotations

from dataclasses import dataclass

from app.auth.permissions import ROLE_LABELS, P, Role, has_permission


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
    ],
    Role.SALES: [NavItem("Dashboard", "/dashboard/sales/", P.DASHBOARD_SALES)],
    Role.MOP: [NavItem("Dashboard", "/dashboard/mop/", P.DASHBOARD_MOP)],
    Role.ROP: [NavItem("Dashboard", "/dashboard/rop/", P.DASHBOARD_ROP)],
    Role.FINANCE: [NavItem("Dashboard", "/dashboard/finance/", P.DASHBOARD_FINANCE)],
    Role.DISPATCHER: [NavItem("Dashboard", "/dashboard/dispatcher/", P.DASHBOARD_DISPATCHER)],
}

OTHER_DASHBOARDS = [
    NavItem(ROLE_LABELS[role], f"/dashboard/{role.value}/", f"dashboard:{role.value}")
    for role in Role
    if role != Role.ADMIN
]


def navigation_for(user, path: str) -> list[NavItem]:
    """The links `user` may follow, the one matching `path` marked active."""
    items = [item for item in ROLE_MENUS[user.role] if has_permission(user.role, item.permission)]
    if user.role == Role.ADMIN:
        items += OTHER_DASHBOARDS
    return [NavItem(i.label, i.href, i.permission, _is_active(i.href, path)) for i in items]


def _is_active(href: str, path: str) -> bool:
    """A section link is active on its own pages; a dashboard home only on itself."""
    return path == href or (not href.endswith("/") and path.startswith(href + "/"))

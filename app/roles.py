"""The mount table: for each role, the features it mounts. Nothing else decides it.

`mount(app)` builds /dashboard/<role>/... (HTML) and /api/<role>/... (its JSON twin) with the
role guard, and the side navigation; the permission-matrix test reads the same table.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI
from starlette.routing import BaseRoute, Match, get_route_path
from starlette.types import Scope

from app.auth.deps import role_guard
from app.auth.permissions import ROLE_LABELS, Role, has_permission
from app.features import (
    assignment,
    attendance,
    audit,
    balances,
    bookings,
    callback_board,
    callbacks,
    campaigns,
    cashflow,
    contracts,
    debts,
    dispatch_reports,
    distribution,
    expenses,
    extensions,
    floor_editor,
    funnel,
    grid,
    home,
    imports,
    inventory,
    kanban,
    leads,
    notifications,
    payments,
    plans,
    rates,
    schedule,
    service_links,
    team_attendance,
    technicians,
    telegram,
    users,
    work_orders,
)
from app.web import navigation
from app.web.feature import Feature, MenuEntry
from app.web.navigation import NavItem
from app.web.openapi import ERROR_RESPONSES

ROLE_FEATURES: dict[Role, tuple[Feature, ...]] = {
    Role.ADMIN: (
        home.feature,
        users.feature,
        audit.feature,
        inventory.feature,
        floor_editor.feature,
        grid.feature,
        leads.feature,
        kanban.feature,
        callbacks.feature,
        bookings.feature,
        assignment.feature,
        extensions.feature,
        contracts.feature,
        attendance.feature,
        telegram.feature,
        notifications.feature,
        team_attendance.feature,
        distribution.feature,
        callback_board.feature,
        imports.feature,
        work_orders.feature,
        schedule.feature,
        technicians.feature,
        service_links.feature,
    ),
    Role.SALES: (
        home.feature,
        leads.feature,
        kanban.feature,
        callbacks.feature,
        bookings.feature,
        grid.feature,
        contracts.feature,
        work_orders.feature,
        service_links.feature,
        attendance.feature,
        telegram.feature,
        notifications.feature,
    ),
    Role.MOP: (
        home.feature,
        leads.feature,
        kanban.feature,
        callbacks.feature,
        callback_board.feature,
        bookings.feature,
        assignment.feature,
        distribution.feature,
        extensions.feature,
        team_attendance.feature,
        grid.feature,
        contracts.feature,
        attendance.feature,
        telegram.feature,
        notifications.feature,
    ),
    Role.ROP: (
        home.feature,
        plans.feature,
        funnel.feature,
        campaigns.feature,
        expenses.feature,
        leads.feature,
        grid.feature,
        bookings.feature,
        contracts.feature,
        attendance.feature,
        telegram.feature,
        notifications.feature,
    ),
    Role.FINANCE: (
        home.feature,
        balances.feature,
        debts.feature,
        payments.feature,
        cashflow.feature,
        rates.feature,
        grid.feature,
        contracts.feature,
        attendance.feature,
        telegram.feature,
        notifications.feature,
    ),
    Role.DISPATCHER: (
        home.feature,
        schedule.feature,
        work_orders.feature,
        technicians.feature,
        dispatch_reports.feature,
        service_links.feature,
        attendance.feature,
        telegram.feature,
        notifications.feature,
    ),
}


def dashboard_prefix(role: Role) -> str:
    """Where `role`'s pages live."""
    return f"/dashboard/{role.value}"


def api_prefix(role: Role) -> str:
    """Where `role`'s JSON twin lives."""
    return f"/api/{role.value}"


def check_table() -> None:
    """Every role holds the permission of each feature it mounts (a wrong table fails at start-up)."""
    for role, features in ROLE_FEATURES.items():
        for feature in features:
            if not has_permission(role, feature.permission):
                raise RuntimeError(f"{role.value} mounts {feature.name} without {feature.permission}")


def menus() -> dict[Role, list[NavItem]]:
    """Each role's side navigation: its features' entries; admin also gets what only others mount."""
    result: dict[Role, list[NavItem]] = {}
    for role, features in ROLE_FEATURES.items():
        result[role] = [_entry(role, role, m) for f in features for m in f.menu]
    own = set(ROLE_FEATURES[Role.ADMIN])
    for role, features in ROLE_FEATURES.items():
        others = [f for f in features if f not in own and role != Role.ADMIN]
        result[Role.ADMIN] += [_entry(Role.ADMIN, role, m) for f in others for m in f.menu]
        own |= set(others)
    result[Role.ADMIN] += [NavItem(ROLE_LABELS[r], f"{dashboard_prefix(r)}/") for r in Role if r != Role.ADMIN]
    return result


def _entry(viewer: Role, owner: Role, menu: MenuEntry) -> NavItem:
    """A menu entry of `owner`'s dashboard as `viewer` sees it ("My leads" for those who see only their own)."""
    label = menu.label
    if menu.own_label and menu.all_permission and not has_permission(viewer, menu.all_permission):
        label = menu.own_label
    return NavItem(label, dashboard_prefix(owner) + menu.path)


def route_table(only: str | None = None) -> list[tuple[str, str, str]]:
    """(method, full path, "app/features/<feature>/<file>.py:function") for every mounted route, by role."""
    rows = []
    for role, features in ROLE_FEATURES.items():
        if only and role.value != only:
            continue
        for feature in features:
            for prefix, router in ((dashboard_prefix(role), feature.html), (api_prefix(role), feature.api)):
                for route in router.routes if router is not None else []:
                    handler = f"{route.endpoint.__module__.replace('.', '/')}.py:{route.endpoint.__name__}"
                    rows += [(method, prefix + route.path, handler) for method in sorted(route.methods - {"HEAD"})]
    return rows


def mount(app: FastAPI) -> None:
    """Include every role's features under its dashboard and JSON prefixes, guarded; set the navigation."""
    check_table()
    for role, features in ROLE_FEATURES.items():
        guard = [Depends(role_guard(role))]
        for feature in features:
            if feature.html is not None:
                app.include_router(
                    feature.html, prefix=dashboard_prefix(role), dependencies=guard, include_in_schema=False
                )
                answer_only_under(app.router.routes[-1], dashboard_prefix(role))
            if feature.api is not None:
                app.include_router(
                    feature.api,
                    prefix=api_prefix(role),
                    dependencies=guard,
                    tags=[role.value],
                    responses=ERROR_RESPONSES,
                )
                answer_only_under(app.router.routes[-1], api_prefix(role))
    navigation.ROLE_MENUS.clear()
    navigation.ROLE_MENUS.update(menus())


def answer_only_under(included: BaseRoute, prefix: str) -> None:
    """Let an included router try a request only when its path is under `prefix`.

    FastAPI matches a request against every route of every included router in turn (over 150 routers
    here, 2-10 ms a request); a router whose prefix the path lacks cannot match, so it is skipped at once.
    """
    matches_inside = included.matches

    def matches(scope: Scope) -> tuple[Match, Scope]:
        path = get_route_path(scope)
        if path != prefix and not path.startswith(prefix + "/"):
            return Match.NONE, {}
        return matches_inside(scope)

    included.matches = matches  # type: ignore[method-assign]

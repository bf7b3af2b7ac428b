"""Every dashboard route x every role x anonymous, with the expectations read from the mount table.

For each role, each feature it mounts in app/roles.py and each route of that feature: the role itself
(and admin) get in unless the route requires a permission the role lacks (403); every other role gets
403; anonymous HTML goes to /login and anonymous JSON gets 401. The app and its users are built once
for the module, so the whole matrix takes seconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.deps import SESSION_COOKIE
from app.auth.permissions import Role, has_permission
from app.auth.service import session_token
from app.db import get_engine
from app.main import create_app
from app.migrations import upgrade
from app.roles import ROLE_FEATURES, api_prefix, dashboard_prefix
from tests.conftest import csrf_from, make_settings
from tests.factories import make_user

ROLE_PATH = re.compile(r"^/(dashboard|api)/(admin|sales|mop|rop|finance|dispatcher)(/|$)")
PARAM = re.compile(r"\{[^}]+\}")


def route_permission(route: APIRoute) -> str | None:
    """The permission a route requires beyond its dashboard (declared with `require(P.X)`)."""
    for depends in route.dependencies:
        permission = getattr(depends.dependency, "permission", None)
        if permission is not None:
            return permission
    return None


def expected_routes() -> Iterator[tuple[str, str, str, Role, str | None]]:
    """(method, full path, kind, owner role, required permission) for every route the table mounts."""
    for role, features in ROLE_FEATURES.items():
        for feature in features:
            for kind, router, prefix in (
                ("dashboard", feature.html, dashboard_prefix(role)),
                ("api", feature.api, api_prefix(role)),
            ):
                for route in router.routes if router is not None else []:
                    for method in sorted(route.methods - {"HEAD"}):
                        yield method, prefix + route.path, kind, role, route_permission(route)


ROUTES = sorted(set(expected_routes()), key=lambda r: (r[1], r[0]))


@pytest.fixture(scope="module")
def matrix_app(tmp_path_factory):
    """One app on its own migrated SQLite database, with a user of every role and a target user."""
    folder: Path = tmp_path_factory.mktemp("matrix")
    url = f"sqlite:///{folder / 'matrix.db'}"
    upgrade(url)
    app = create_app(make_settings(url, folder), check_schema=False)
    with Session(get_engine(url), expire_on_commit=False) as db:
        people = {role: make_user(db, role) for role in Role}
        target = make_user(db, Role.SALES)
        db.commit()
        app.state.matrix = {"people": people, "target_id": target.id}
    return app


@pytest.fixture(scope="module")
def browsers(matrix_app) -> dict[Role | None, TestClient]:
    """A logged-in client per role (with its CSRF token), and an anonymous one under None."""
    clients: dict[Role | None, TestClient] = {None: TestClient(matrix_app, follow_redirects=False)}
    for role, person in matrix_app.state.matrix["people"].items():
        browser = TestClient(matrix_app, follow_redirects=False)
        browser.cookies.set(SESSION_COOKIE, session_token(matrix_app.state.settings, person))
        browser.csrf = csrf_from(browser, "/profile")
        clients[role] = browser
    return clients


def call(client: TestClient, method: str, path: str, kind: str, csrf: str = ""):
    """One request as a browser or API client would send it, with an empty body."""
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    if method == "GET":
        return client.get(path, headers=headers)
    if kind == "api":
        return client.request(method, path, json={}, headers=headers)
    return client.request(method, path, data={"csrf_token": csrf}, headers=headers)


def test_the_app_mounts_exactly_what_the_table_says(matrix_app):
    mounted = set()
    for context in iter_route_contexts(matrix_app.routes):
        match = ROLE_PATH.match(context.path or "")
        if match and isinstance(context.original_route, APIRoute):
            mounted |= {(m, context.path) for m in context.original_route.methods - {"HEAD"}}
    assert mounted == {(method, path) for method, path, *_ in ROUTES}
    assert {owner for *_, owner, _ in ROUTES} == set(Role)


def test_every_role_has_a_home_and_its_json_twin():
    pages = {(method, path) for method, path, *_ in ROUTES}
    for role in Role:
        assert ("GET", f"{dashboard_prefix(role)}/") in pages
        assert ("GET", f"{api_prefix(role)}/") in pages


@pytest.mark.parametrize(
    ("method", "path", "kind", "owner", "permission"), ROUTES, ids=[f"{m} {p}" for m, p, *_ in ROUTES]
)
def test_route_access_by_role(method, path, kind, owner, permission, matrix_app, browsers):
    url = PARAM.sub(str(matrix_app.state.matrix["target_id"]), path)
    anonymous = call(browsers[None], method, url, kind)
    if kind == "api":
        assert anonymous.status_code == 401
    elif method == "GET":
        assert anonymous.status_code == 302
        assert anonymous.headers["location"].startswith("/login?next=")
    else:
        assert anonymous.status_code == 403  # an unsafe request without a CSRF token is refused first
    for role in Role:
        browser = browsers[role]
        response = call(browser, method, url, kind, csrf=browser.csrf)
        on_dashboard = role in (owner, Role.ADMIN)
        allowed = on_dashboard and (permission is None or has_permission(role, permission))
        if allowed:
            assert response.status_code not in (401, 403), (role, response.text[:300])
            assert response.status_code < 500, (role, response.text[:300])
        else:
            assert response.status_code == 403, (role, response.status_code)

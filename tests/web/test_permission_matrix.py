"""Every role route x every role x anonymous, generated from the app's route table.

Routes added later are covered without new test code: a route under /dashboard/<role>/ or
/api/<role>/ must answer its role (and admin) with neither 401/403 nor 5xx, refuse every
other role with 403, and send anonymous users to /login (HTML) or 401 (JSON).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from app.auth.permissions import Role
from app.main import create_app
from tests.conftest import make_settings
from tests.factories import make_user

ROLE_PATH = re.compile(r"^/(dashboard|api)/(admin|sales|mop|rop|finance|dispatcher)(/|$)")
PARAM = re.compile(r"\{[^}]+\}")


def role_routes() -> list[tuple[str, str, str, Role]]:
    """(method, path, kind, owner role) for every guarded role route of the app."""
    app = create_app(make_settings("sqlite://", Path(tempfile.mkdtemp())), check_schema=False)
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        match = ROLE_PATH.match(context.path or "")
        if not match:
            continue
        for method in sorted(route.methods - {"HEAD"}):
            found.append((method, context.path, match.group(1), Role(match.group(2))))
    return found


ROUTES = role_routes()


def concrete(path: str, user_id: int) -> str:
    """Fill path parameters with an existing id."""
    return PARAM.sub(str(user_id), path)


def call(client, method: str, path: str, kind: str, csrf: str = ""):
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    if method == "GET":
        return client.get(path, headers=headers)
    if kind == "api":
        return client.request(method, path, json={}, headers=headers)
    return client.request(method, path, data={"csrf_token": csrf}, headers=headers)


def test_route_table_covers_every_role():
    owners = {owner for _, _, _, owner in ROUTES}
    assert owners == set(Role)
    kinds = {(kind, owner) for _, _, kind, owner in ROUTES}
    assert all(("dashboard", r) in kinds and ("api", r) in kinds for r in Role)


@pytest.mark.parametrize(("method", "path", "kind", "owner"), ROUTES, ids=[f"{m} {p}" for m, p, _, _ in ROUTES])
def test_route_access_by_role(method, path, kind, owner, client_as, client, db):
    target = make_user(db, Role.SALES)  # an existing id for {user_id}-style parameters
    url = concrete(path, target.id)
    anonymous = call(client, method, url, kind, csrf="")
    if kind == "api":
        assert anonymous.status_code == 401
    else:
        assert anonymous.status_code in (302, 403)  # GET redirects; unsafe without CSRF is refused
        if method == "GET":
            assert anonymous.headers["location"].startswith("/login?next=")
    for role in Role:
        browser = client_as(role)
        response = call(browser, method, url, kind, csrf=browser.csrf)
        allowed = role in (owner, Role.ADMIN)
        if allowed:
            assert response.status_code not in (401, 403), (role, response.text[:300])
            assert response.status_code < 500, (role, response.text[:300])
        else:
            assert response.status_code == 403, (role, response.status_code)

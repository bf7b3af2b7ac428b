"""Benchmark of route matching: how long the app takes to find the handler of a request.

Run it from the repository root (a few seconds; nothing to set up):

    python -m tests.bench.bench_routing

The app mounts every role's features as its own included router (over 150 of them). FastAPI tries
a request against each included router in turn, and each tries every one of its routes, so a path
of a role mounted late was matched against hundreds of patterns (2-10 ms a request on a busy
machine) before `app.roles.answer_only_under` let a router skip paths outside its prefix.

Per path it prints the microseconds the app's router takes to match, with the prefix check and
without it (the same app built again with the check switched off), and the same figure for a bare
Starlette router holding one route, measured in this run: ratio = bare / app (1.0 = as fast as a
one-route router). This is not a test: it asserts nothing about time.
"""

from __future__ import annotations

import time

from starlette.routing import Match, Route, Router

from app import roles
from app.main import create_app

PATHS = [
    ("GET", "/dashboard/admin/users"),
    ("GET", "/dashboard/mop/leads"),
    ("GET", "/dashboard/rop/expenses"),
    ("GET", "/api/dispatcher/schedule"),
    ("PATCH", "/api/dispatcher/work-orders/5"),
    ("GET", "/api/sales/leads/5"),
    ("GET", "/nowhere/at/all"),
]
ROUNDS = 300


def match_once(router: Router, method: str, path: str) -> None:
    """Find the route of one request the way Starlette's router does (first full match wins)."""
    scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": [], "query_string": b""}
    for route in router.routes:
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return


def microseconds_per_match(router: Router, method: str, path: str) -> float:
    """Average microseconds one match takes over ROUNDS rounds, after a warm-up."""
    match_once(router, method, path)
    started = time.perf_counter()
    for _ in range(ROUNDS):
        match_once(router, method, path)
    return (time.perf_counter() - started) / ROUNDS * 1e6


def app_without_prefix_check():
    """The same app built with the prefix check switched off, as FastAPI mounts routers by itself."""
    keep = roles.answer_only_under
    roles.answer_only_under = lambda included, prefix: None
    try:
        return create_app(check_schema=False)
    finally:
        roles.answer_only_under = keep


def main() -> None:
    """Print the table."""
    checked = create_app(check_schema=False).router
    unchecked = app_without_prefix_check().router
    bare = Router(routes=[Route("/ping", lambda request: None)])
    print(f"routes on the app: {len(checked.routes)}")
    print(f"{'request':42s} {'with check':>11s} {'without':>10s} {'bare':>7s} {'ratio':>6s}")
    for method, path in PATHS:
        with_check = microseconds_per_match(checked, method, path)
        without = microseconds_per_match(unchecked, method, path)
        one_route = microseconds_per_match(bare, "GET", "/ping")
        print(
            f"{method + ' ' + path:42s} {with_check:9.0f}us {without:8.0f}us {one_route:5.1f}us "
            f"{one_route / with_check:6.3f}"
        )


if __name__ == "__main__":
    main()

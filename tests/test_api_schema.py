"""Schemathesis over the whole JSON API (/api/openapi.json): each role's routes as that role
(bearer token from POST /api/auth/token), the public and auth routes anonymously. Any 5xx or
an answer that breaks its documented schema fails. Fixed seed, few examples per route."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from app.auth.permissions import Role
from tests.factories import PASSWORD, make_contract

EXAMPLES_PER_ROUTE = 6


@pytest.fixture
def tokens(app, user_of, db) -> dict[str, str]:
    """A bearer token of each role, asked for as a client would; some data to find."""
    from fastapi.testclient import TestClient

    make_contract(db)
    client = TestClient(app)
    result = {}
    for role in Role:
        answer = client.post("/api/auth/token", json={"username": user_of(role).username, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        result[role.value] = answer.json()["access_token"]
    return result


def fuzz(operation, headers: dict[str, str]) -> None:
    """A few generated requests to one operation; raises on a 5xx or a schema violation."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case) -> None:
        case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])

    check()


def test_no_server_error_and_answers_match_the_schema(app, tokens):
    loaded = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    failures: list[str] = []
    operations = [result.ok() for result in loaded.get_all_operations()]
    assert len(operations) > 100

    for operation in operations:
        parts = operation.path.split("/")
        role = parts[2] if len(parts) > 2 else ""
        headers = {"Authorization": f"Bearer {tokens[role]}"} if role in tokens else {}
        try:
            fuzz(operation, headers)
        except Exception as exc:  # every route is tried; all failures are listed at the end
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:2000])
    assert not failures, "\n\n".join(failures)

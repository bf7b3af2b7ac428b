"""Security headers a browser acts on: the strict Content-Security-Policy on every HTML page
and fragment, and static files cached for a year only under their versioned URL."""

from __future__ import annotations

import pytest

from app.auth.permissions import Role
from app.web.templating import STATIC_VERSION

CSP = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"


@pytest.mark.parametrize("path", ["/", "/login", "/c/no-such-complex", "/no-such-page"])
def test_anonymous_html_pages_carry_the_policy(client, path):
    answer = client.get(path)
    assert answer.headers["content-type"].startswith("text/html"), (path, answer.status_code)
    assert answer.headers["content-security-policy"] == CSP


@pytest.mark.parametrize("role", list(Role))
def test_every_dashboard_and_its_fragments_carry_the_policy(client_as, role):
    browser = client_as(role)
    page = browser.get(f"/dashboard/{role.value}/")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CSP
    fragment = browser.get(f"/dashboard/{role.value}/", headers={"HX-Request": "true"})
    assert fragment.headers["content-security-policy"] == CSP


def test_json_answers_are_not_pages(client):
    answer = client.get("/health")
    assert answer.headers["content-type"].startswith("application/json")
    assert "content-security-policy" not in answer.headers
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_versioned_static_files_are_cached_for_a_year(client):
    answer = client.get(f"/static/js/app.js?v={STATIC_VERSION}")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("query", ["", "?v=0", f"?v={STATIC_VERSION}&v=x"])
def test_static_files_without_the_current_version_are_cached_briefly(client, query):
    answer = client.get(f"/static/css/app.css{query}")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "public, max-age=300"


def test_a_missing_static_file_is_not_cached_for_long(client):
    answer = client.get(f"/static/js/nothing.js?v={STATIC_VERSION}")
    assert answer.status_code == 404
    assert "immutable" not in answer.headers.get("cache-control", "")


def test_pages_link_their_scripts_and_styles_by_the_versioned_url(client):
    html = client.get("/login").text
    for asset in ("/static/css/app.css", "/static/js/htmx-2.0.11.min.js", "/static/js/app.js"):
        assert f'{asset}?v={STATIC_VERSION}"' in html, asset

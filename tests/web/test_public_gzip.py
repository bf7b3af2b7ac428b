"""The cached complex page gzipped once, with each visitor's CSRF token spliced in: browsers that
take gzip get the same page in far fewer bytes, and its form works."""

from __future__ import annotations

import gzip
import re

import httpx

from tests.web.test_public import HTMX, admin, shop  # noqa: F401 (fixtures)

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def raw_page(client, headers: dict) -> httpx.Response:
    """The page's bytes as sent (TestClient would decode gzip itself)."""
    with client.stream("GET", "/c/bahor-test", headers=headers) as response:
        response.raw_bytes = b"".join(response.iter_raw())
    return response


def test_gzip_page_is_the_plain_page_smaller_from_the_fast_path_too(client, app, shop):  # noqa: F811
    app.state.settings.public_version_ttl_ms = 60_000  # the second request is served by the fast path
    for _ in range(2):
        zipped = raw_page(client, {"Accept-Encoding": "gzip, deflate"})
        plain = raw_page(client, {"Accept-Encoding": "identity"})
        assert zipped.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
        assert "Accept-Encoding" in zipped.headers["vary"] and zipped.headers["etag"] == plain.headers["etag"]
        text = gzip.decompress(zipped.raw_bytes).decode()
        assert len(zipped.raw_bytes) < len(plain.raw_bytes) / 2
        assert TOKEN.sub("", text) == TOKEN.sub("", plain.raw_bytes.decode())
        assert TOKEN.search(text)


def test_the_form_takes_the_token_of_the_gzipped_page(client, app, shop):  # noqa: F811
    app.state.settings.public_version_ttl_ms = 60_000
    client.get("/c/bahor-test")
    page = raw_page(client, {"Accept-Encoding": "gzip"})
    token = TOKEN.search(gzip.decompress(page.raw_bytes).decode()).group(1)
    sent = client.post(
        "/c/bahor-test/request",
        headers=HTMX,
        data={"name": "Madina", "phone": "+998 91 234 56 78", "website": "", "place": "page", "csrf_token": token},
    )
    assert sent.status_code == 200 and 'data-testid="lead-thanks"' in sent.text


def test_gzip_refused_by_q_zero_gets_the_plain_page(client, shop):  # noqa: F811
    page = raw_page(client, {"Accept-Encoding": "gzip;q=0, br"})
    assert "content-encoding" not in page.headers and b"<html" in page.raw_bytes.lower()

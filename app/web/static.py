"""Static files with caching by URL: a versioned URL (`?v=STATIC_VERSION`) is cached for a year."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

from app.web.templating import STATIC_VERSION

LONG_CACHE = "public, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=300"


def cache_control_for(query_string: bytes) -> str:
    """Long-lived caching for the current version's URL, a short one for any other."""
    versions = parse_qs(query_string.decode("latin-1")).get("v", [])
    return LONG_CACHE if versions == [STATIC_VERSION] else SHORT_CACHE


class VersionedStaticFiles(StaticFiles):
    """StaticFiles that set Cache-Control from the version in the URL."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        """The file's response with the Cache-Control its URL earns."""
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["cache-control"] = cache_control_for(scope.get("query_string", b""))
        return response

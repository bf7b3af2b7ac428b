"""Live grids by conditional polling: the page polls with the inventory version it shows;
the server answers 204 (nothing to swap) until the version moves, then the fresh block.

The version lives in the database (complexes.inventory_version, bumped in the same
transaction as any change), so every web process sees a change at once: no in-process
state, nothing that breaks with several workers.
"""

from __future__ import annotations

from fastapi.responses import Response

POLL_SECONDS = 2


def unchanged(version: int, since: int | None) -> Response | None:
    """A 204 when the client already shows `version`, else None (render the block)."""
    if since is not None and since == version:
        return Response(status_code=204, headers={"Cache-Control": "no-store"})
    return None

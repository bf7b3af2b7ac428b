"""The ASGI application object that servers import (`app.asgi:app`)."""

import ctypes
import ctypes.util
import os
import sys

from app.main import configure_logging, create_app
from settings import settings

# Set by `python main.py` once it has migrated or checked the schema, for the workers it starts:
# they skip the check (loading Alembic and every migration costs each worker ~10 MB).
SCHEMA_CHECKED_ENV = "CRM_SCHEMA_CHECKED"
M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8  # glibc mallopt() parameters
MMAP_THRESHOLD_BYTES = 128 * 1024
ARENAS = 2


def return_freed_memory() -> None:
    """Let a serving worker give large freed blocks back to the system (glibc only).

    glibc raises its mmap threshold after the first large free, so later large blocks (each
    login's 19 MiB Argon2 buffer, big responses) come from per-thread heaps that keep them; with
    the threshold fixed they are mapped and unmapped, and two arenas bound the heaps of the
    request threads. Peak memory per worker drops by tens of MB; elsewhere this does nothing.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
        libc.mallopt(M_ARENA_MAX, ARENAS)
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return


return_freed_memory()
configure_logging(settings.log_level)
app = create_app(settings, check_schema=os.environ.get(SCHEMA_CHECKED_ENV) != "1")

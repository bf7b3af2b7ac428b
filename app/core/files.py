"""Writing an uploaded stream to disk within a size bound, leaving nothing behind on failure."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from app.core.errors import Invalid

CHUNK = 64 * 1024


def save_bounded(stream: BinaryIO, head: bytes, target: Path, max_bytes: int, too_big: Invalid) -> None:
    """Write `head` then the rest of `stream` to `target`; raise `too_big` past `max_bytes` (the file is removed)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    size = len(head)
    try:
        with target.open("wb") as out:
            out.write(head)
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise too_big
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise

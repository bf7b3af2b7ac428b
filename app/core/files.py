"""Uploaded files: what a picture is by its first bytes, and writing a stream to disk within a size
bound, leaving nothing behind on failure."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.core.errors import Invalid

CHUNK = 64 * 1024


@dataclass(frozen=True)
class Upload:
    """An uploaded file as the web layer hands it to the domain: its stream and the name the browser sent."""

    stream: BinaryIO
    filename: str


def image_extension(head: bytes) -> str | None:
    """ ".jpg", ".png" or ".webp" for JPEG, PNG or WebP content (by its first bytes), else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ".webp"
    return None


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

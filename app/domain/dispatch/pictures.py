"""Pictures of work orders: JPEG, PNG or WebP recognised by their content, capped in size,
stored under DATA_DIR/work_orders (never under the public media folder)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.core.errors import Invalid

FOLDER = "work_orders"
CHUNK = 64 * 1024
MEDIA_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}
MAX_PICTURES = 10


@dataclass(frozen=True)
class PictureUpload:
    """An uploaded file as the web layer hands it over: its stream and the name the browser sent."""

    stream: BinaryIO
    filename: str


def picture_extension(head: bytes) -> str | None:
    """ ".jpg", ".png" or ".webp" for such content (by its first bytes), else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ".webp"
    return None


def store_picture(upload: PictureUpload, data_dir: Path, max_bytes: int) -> str:
    """Write the upload under DATA_DIR/work_orders; its stored name. Invalid (`picture`) for another type or size."""
    upload.stream.seek(0)
    extension = picture_extension(upload.stream.read(16))
    if extension is None:
        raise Invalid("Attach a picture: JPEG, PNG or WebP.", field="picture")
    upload.stream.seek(0)
    name = f"{secrets.token_hex(16)}{extension}"
    target = data_dir / FOLDER / name
    target.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    try:
        with target.open("wb") as out:
            while chunk := upload.stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise Invalid("The file is larger than %(mb)s MB.", field="picture", mb=max_bytes // (1024 * 1024))
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return name


def picture_path(data_dir: Path, name: str) -> Path | None:
    """The stored file of a picture name, or None when the name is not one we made or it is gone."""
    if not name or "/" in name or "\\" in name or name.startswith(".") or Path(name).suffix not in MEDIA_TYPES:
        return None
    path = data_dir / FOLDER / name
    return path if path.is_file() else None

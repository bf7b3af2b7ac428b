"""Pictures of work orders: JPEG, PNG or WebP recognised by their content, capped in size,
stored under DATA_DIR/work_orders (never under the public media folder)."""

from __future__ import annotations

import secrets
from pathlib import Path

from app.core.errors import Invalid
from app.core.files import Upload, image_extension, save_bounded

FOLDER = "work_orders"
MEDIA_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}
MAX_PICTURES = 10


PictureUpload = Upload  # a picture as the web layer hands it over


def store_picture(upload: PictureUpload, data_dir: Path, max_bytes: int) -> str:
    """Write the upload under DATA_DIR/work_orders; its stored name. Invalid (`picture`) for another type or size."""
    upload.stream.seek(0)
    head = upload.stream.read(16)
    extension = image_extension(head)
    if extension is None:
        raise Invalid("Attach a picture: JPEG, PNG or WebP.", field="picture")
    name = f"{secrets.token_hex(16)}{extension}"
    too_big = Invalid("The file is larger than %(mb)s MB.", field="picture", mb=max_bytes // (1024 * 1024))
    save_bounded(upload.stream, head, data_dir / FOLDER / name, max_bytes, too_big)
    return name


def picture_path(data_dir: Path, name: str) -> Path | None:
    """The stored file of a picture name, or None when the name is not one we made or it is gone."""
    if not name or "/" in name or "\\" in name or name.startswith(".") or Path(name).suffix not in MEDIA_TYPES:
        return None
    path = data_dir / FOLDER / name
    return path if path.is_file() else None

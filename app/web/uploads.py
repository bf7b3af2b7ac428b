"""Image uploads: type checked by content (not by name), size capped, stored under MEDIA_DIR."""

from __future__ import annotations

import secrets
from pathlib import Path

from fastapi import UploadFile

from app.core.errors import Invalid
from app.core.files import image_extension, save_bounded


def save_image(upload: UploadFile | None, media_dir: Path, folder: str, max_bytes: int, field: str = "image") -> str:
    """Store an uploaded JPEG/PNG/WebP; returns its path under the media folder.

    Invalid (naming `field`) when nothing was sent, the content is not such an image,
    or it is larger than `max_bytes`. Nothing is left on disk after a refusal.
    """
    if upload is None or not upload.filename:
        raise Invalid("Choose an image file.", field=field)
    upload.file.seek(0)
    head = upload.file.read(16)
    extension = image_extension(head)
    if extension is None:
        raise Invalid("Only JPEG, PNG or WebP images can be uploaded.", field=field)
    relative = f"{folder}/{secrets.token_hex(12)}{extension}"
    target = media_dir / relative
    too_big = Invalid("The image is larger than %(mb)s MB.", field=field, mb=max_bytes // (1024 * 1024))
    save_bounded(upload.file, head, target, max_bytes, too_big)
    return relative

"""Receipt files of expenses: a picture (JPEG, PNG, WebP) or a PDF, recognised by its content,
capped in size, stored under DATA_DIR/receipts (never under the public media folder)."""

from __future__ import annotations

import secrets
from pathlib import Path

from app.core.errors import Invalid
from app.core.files import Upload, image_extension, save_bounded

FOLDER = "receipts"
MEDIA_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp", ".pdf": "application/pdf"}


ReceiptUpload = Upload  # a receipt as the web layer hands it over


def receipt_extension(head: bytes) -> str | None:
    """ ".jpg", ".png", ".webp" or ".pdf" for such content (by its first bytes), else None."""
    return image_extension(head) or (".pdf" if head.startswith(b"%PDF-") else None)


def receipts_dir(data_dir: Path) -> Path:
    """Where receipts are kept."""
    return data_dir / FOLDER


def check_receipt(upload: ReceiptUpload, max_bytes: int, field: str = "receipt") -> str:
    """The extension of an acceptable upload; Invalid (naming `field`) for another type or too large."""
    upload.stream.seek(0)
    extension = receipt_extension(upload.stream.read(16))
    if extension is None:
        raise Invalid("Attach a picture (JPEG, PNG, WebP) or a PDF.", field=field)
    upload.stream.seek(0, 2)
    if upload.stream.tell() > max_bytes:
        raise Invalid("The file is larger than %(mb)s MB.", field=field, mb=max_bytes // (1024 * 1024))
    upload.stream.seek(0)
    return extension


def store_receipt(upload: ReceiptUpload, data_dir: Path, max_bytes: int, field: str = "receipt") -> str:
    """Write the upload under DATA_DIR/receipts; returns its name there.

    Invalid (naming `field`) when the content is neither a picture nor a PDF or is larger than
    `max_bytes`; nothing is left on disk after a refusal.
    """
    extension = check_receipt(upload, max_bytes, field)
    head = upload.stream.read(16)
    name = f"{secrets.token_hex(16)}{extension}"
    target = receipts_dir(data_dir) / name
    too_big = Invalid("The file is larger than %(mb)s MB.", field=field, mb=max_bytes // (1024 * 1024))
    save_bounded(upload.stream, head, target, max_bytes, too_big)
    return name


def receipt_path(data_dir: Path, name: str) -> Path | None:
    """The stored file of a receipt name, or None when the name is not one we made or it is gone."""
    if not name or "/" in name or "\\" in name or name.startswith(".") or Path(name).suffix not in MEDIA_TYPES:
        return None
    path = receipts_dir(data_dir) / name
    return path if path.is_file() else None


def remove_receipt(data_dir: Path, name: str) -> None:
    """Delete a stored receipt (after its expense was refused or replaced)."""
    path = receipt_path(data_dir, name)
    if path is not None:
        path.unlink(missing_ok=True)

"""What both twins of the work orders share: the due rules of the settings, If-Match, uploads, files."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import FileResponse
from starlette.datastructures import UploadFile

from app.auth.deps import get_settings
from app.core.errors import Invalid
from app.domain.dispatch.crud import DueRules
from app.domain.dispatch.pictures import PictureUpload


def due_rules(request: Request) -> DueRules:
    """WORK_ORDER_DUE_DAYS and WORK_ORDER_URGENT_DAYS of the running app."""
    return get_settings(request).work_order_due


def if_match(value: str | None) -> int | None:
    """The version an If-Match header names ("3", "\\"3\\"" or W/"3"); 422 for anything else."""
    if value is None or not value.strip():
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit() or not 0 < int(text) < 2**31:
        raise Invalid("If-Match must be the order's version number.", field="If-Match")
    return int(text)


def upload_of(value: object) -> PictureUpload | None:
    """The chosen file of a multipart field, or None when none was chosen."""
    if isinstance(value, UploadFile) and value.filename:
        return PictureUpload(value.file, value.filename)
    return None


def storage(request: Request) -> dict:
    """Where pictures go and how large they may be."""
    settings = get_settings(request)
    return {"data_dir": settings.data_dir, "max_bytes": settings.max_upload_bytes}


def picture_response(found: tuple) -> FileResponse:
    """A stored picture shown in the browser, never cached by shared caches."""
    path, media_type = found
    return FileResponse(
        path,
        media_type=media_type,
        content_disposition_type="inline",
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )

"""What both twins of the expenses share: a posted file as a receipt upload, a receipt as a download."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import FileResponse
from starlette.datastructures import UploadFile

from app.auth.deps import get_settings
from app.domain.marketing.crud import ReceiptFile
from app.domain.marketing.receipts import ReceiptUpload


def upload_of(value: object) -> ReceiptUpload | None:
    """The chosen file of a multipart field, or None when none was chosen."""
    if isinstance(value, UploadFile) and value.filename:
        return ReceiptUpload(value.file, value.filename)
    return None


def storage(request: Request) -> dict:
    """Where receipts go and how large they may be (the running app's settings)."""
    settings = get_settings(request)
    return {"data_dir": settings.data_dir, "max_bytes": settings.max_upload_bytes}


def receipt_response(receipt: ReceiptFile) -> FileResponse:
    """The receipt shown in the browser (pictures and PDF), never cached by shared caches."""
    return FileResponse(
        receipt.path,
        media_type=receipt.media_type,
        filename=receipt.filename,
        content_disposition_type="inline",
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )

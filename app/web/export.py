"""CSV and XLSX export of any list as a download response."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Literal

from fastapi.responses import Response

from app.web.openapi import XLSX_MEDIA_TYPE

ExportFormat = Literal["csv", "xlsx"]  # the `format` query parameter of every export
FORMATS = {"csv", "xlsx"}


# What a spreadsheet still reads as a value, not a formula, though it starts like one:
# a phone in international form (+998901234567), a negative number, a lone dash.
NOT_A_FORMULA = re.compile(r"\+\d+|-\d+(?:[.,]\d+)?|-")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would run `text` as a formula (starts with =, @, tab, CR, + or -)."""
    return text[:1] in ("=", "@", "\t", "\r", "+", "-") and NOT_A_FORMULA.fullmatch(text) is None


def _safe_cell(value: object) -> object:
    """Neutralise spreadsheet formulas in user text (CSV/XLSX injection); phones stay as they are."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return "" if value is None else value


# Control characters an XLSX cell cannot hold (openpyxl refuses them); dropped from exported text.
XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xlsx_cell(value: object) -> object:
    """XLSX cells cannot hold timezone-aware datetimes (stored as naive UTC) or control characters."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return _safe_cell(XLSX_ILLEGAL.sub("", value)) if isinstance(value, str) else value


def export_response(fmt: str, filename: str, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> Response:
    """A CSV or XLSX attachment of `rows` under `headers`."""
    if fmt == "xlsx":
        from openpyxl import Workbook  # imported on the first XLSX: ~23 MB (with numpy) a worker seldom needs

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("export")
        sheet.append([_xlsx_cell(h) for h in headers])
        for row in rows:
            sheet.append([_xlsx_cell(v) for v in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        media = XLSX_MEDIA_TYPE
        body = buffer.getvalue()
    else:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([_safe_cell(v) for v in row])
        media, body = "text/csv; charset=utf-8", ("\ufeff" + text.getvalue()).encode()
    disposition = f'attachment; filename="{filename}.{fmt}"'
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})

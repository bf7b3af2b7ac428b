"""Reading a stored import file as a header row and a stream of rows.

CSV: the encoding is sniffed (UTF-8 with or without BOM, else cp1251) and the delimiter too
(";" or "," or a tab), both correctable by the admin. XLSX: openpyxl in read-only mode with cached
values (formulas read as their results); reading stops after the last row holding data, so a
sheet whose stated size is a million rows does not make us read a million empty ones.
"""

from __future__ import annotations

import csv
import json
import re
import secrets
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.core.errors import Invalid

FOLDER = "imports"
CHUNK = 64 * 1024
DELIMITERS = (";", ",", "\t")
EMPTY_RUN_LIMIT = 1000  # this many empty rows in a row end an XLSX sheet
XLSX_MAGIC = b"PK\x03\x04"
XLSX_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)  # a row of the sheet's XML
XLSX_VALUE = re.compile(rb"<(?:\w+:)?[vt](?:\s[^>]*)?>[^<]")  # a value (<v>) or a text (<t>) that is not empty


@dataclass(frozen=True)
class FileUpload:
    """An uploaded file as the web layer hands it over: its stream and the name the browser sent."""

    stream: BinaryIO
    filename: str


@dataclass
class Table:
    """What was read from a file: its headers and an iterator of rows (lists of cells), with their line numbers."""

    headers: list[str]
    rows: Iterator[tuple[int, list[object]]]


def imports_dir(data_dir: Path) -> Path:
    """Where uploaded import files are kept (the data folder, shared by the web and the workers)."""
    return data_dir / FOLDER


def store_upload(upload: FileUpload, data_dir: Path, max_bytes: int) -> str:
    """Write the upload under DATA_DIR/imports and return its name there; Invalid (field `file`) for a
    file that is neither CSV nor XLSX, empty or larger than the limit (nothing is left on disk then)."""
    suffix = Path(upload.filename or "").suffix.lower()
    if suffix not in {".csv", ".xlsx", ".txt"}:
        raise Invalid("Choose a CSV or XLSX file.", field="file")
    head = upload.stream.read(4)
    if suffix == ".xlsx" and head != XLSX_MAGIC:
        raise Invalid("This file is not an XLSX workbook.", field="file")
    if not head:
        raise Invalid("The file is empty.", field="file")
    name = f"{secrets.token_hex(16)}{'.xlsx' if suffix == '.xlsx' else '.csv'}"
    target = imports_dir(data_dir) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    size = len(head)
    try:
        with target.open("wb") as out:
            out.write(head)
            while chunk := upload.stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise Invalid("The file is larger than %(mb)s MB.", field="file", mb=max_bytes // (1024 * 1024))
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return name


def sniff_csv(path: Path) -> tuple[str, str]:
    """(encoding, delimiter) of a CSV file, judged by its first 64 KB."""
    with path.open("rb") as f:
        sample = f.read(CHUNK)
    if sample.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        try:
            sample.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError as exc:
            encoding = "utf-8" if exc.start > len(sample) - 4 else "cp1251"  # a character cut at the sample's end
    first = sample.decode(encoding, errors="ignore").splitlines()[:1]
    line = first[0] if first else ""
    delimiter = max(DELIMITERS, key=line.count) if line else ","
    return encoding, delimiter


def read_csv(path: Path, encoding: str, delimiter: str) -> Table:
    """The CSV file as headers and rows; Invalid when it cannot be decoded with `encoding`."""
    handle = path.open(encoding=encoding or "utf-8", newline="", errors="strict")
    reader = csv.reader(handle, delimiter=delimiter or ",")
    try:
        headers = [h.strip() for h in next(reader, [])]
    except UnicodeDecodeError as exc:
        handle.close()
        raise Invalid(
            "The file cannot be read in the encoding %(encoding)s.", field="encoding", encoding=encoding
        ) from exc

    def rows() -> Iterator[tuple[int, list[object]]]:
        try:
            for line, row in enumerate(reader, start=2):
                if "".join(row).strip():  # a row of blank cells is skipped
                    yield line, row
        except UnicodeDecodeError as exc:
            raise Invalid(
                "The file cannot be read in the encoding %(encoding)s.", field="encoding", encoding=encoding
            ) from exc
        finally:
            handle.close()

    return Table(headers, rows())


def sheet_names(path: Path) -> list[str]:
    """The sheets of an XLSX workbook."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def count_xlsx_rows(path: Path, limit: int) -> int:
    """About how many data rows the first sheet holds: its rows with a value, less the header row,
    counted in the sheet's XML without building cells (eight times faster than reading it);
    counting stops past `limit`. The run counts exactly; this sizes the file before any work."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        member = book.worksheets[0]._worksheet_path.lstrip("/")  # openpyxl has no public name for it
    finally:
        book.close()
    count, tail = 0, b""
    with zipfile.ZipFile(path) as archive, archive.open(member) as xml:
        while count <= limit and (block := xml.read(16 * CHUNK)):
            buffer, end = tail + block, 0
            for row in XLSX_ROW.finditer(buffer):
                end = row.end()
                if row.group(1) and XLSX_VALUE.search(row.group(1)):
                    count += 1
            tail = buffer[end:]  # a row cut by the block's end is read with the next block
    return max(0, count - 1)


def read_xlsx(path: Path, sheet: str = "") -> Table:
    """A sheet of an XLSX workbook (the first unless named) as headers and rows of values."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise Invalid("This file is not an XLSX workbook.", field="file") from exc
    if sheet and sheet not in book.sheetnames:
        book.close()
        raise Invalid("The workbook has no sheet %(sheet)s.", field="sheet", sheet=sheet)
    ws = book[sheet] if sheet else book.worksheets[0]
    ws.reset_dimensions()  # the stated size may be wrong: read what is there
    source = ws.iter_rows(values_only=True)
    first = next(source, None) or ()
    width = max((i + 1 for i, v in enumerate(first) if v not in (None, "")), default=0)
    headers = ["" if v is None else str(v).strip() for v in first[:width]]

    def rows() -> Iterator[tuple[int, list[object]]]:
        empty_run = 0
        try:
            for line, values in enumerate(source, start=2):
                cells = list(values[:width])
                if not any(c not in (None, "") for c in cells):
                    empty_run += 1
                    if empty_run >= EMPTY_RUN_LIMIT:
                        return
                    continue
                empty_run = 0
                yield line, cells
        finally:
            book.close()

    return Table(headers, rows())


def read_snapshot(path: Path) -> Table:
    """A Google Sheets snapshot (JSON lines, the header row first) as headers and rows of values."""
    handle = path.open(encoding="utf-8")
    first = handle.readline()
    headers = [str(h).strip() for h in (json.loads(first) if first.strip() else [])]

    def rows() -> Iterator[tuple[int, list[object]]]:
        try:
            for line, text in enumerate(handle, start=2):
                cells = json.loads(text)
                if any(c not in (None, "") for c in cells):
                    yield line, cells
        finally:
            handle.close()

    return Table(headers, rows())


def open_table(path: Path, encoding: str = "", delimiter: str = "", sheet: str = "") -> Table:
    """The stored file as a table, by its kind (XLSX or a Sheets snapshot by suffix, CSV otherwise)."""
    if path.suffix == ".xlsx":
        return read_xlsx(path, sheet)
    if path.suffix == ".jsonl":
        return read_snapshot(path)
    if not encoding or not delimiter:
        sniffed = sniff_csv(path)
        encoding, delimiter = encoding or sniffed[0], delimiter or sniffed[1]
    return read_csv(path, encoding, delimiter)

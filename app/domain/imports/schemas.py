"""What the import's pages and JSON twin read and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.paging import PageParams
from app.core.types import Input
from app.domain.imports.models import ImportKind, ImportStatus, Outcome


class ImportOptions(Input):
    """How to read the file and which column fills which field (a mapping {field: header})."""

    mapping: dict[str, str] = Field(default_factory=dict, max_length=40)
    encoding: Literal["", "utf-8", "utf-8-sig", "cp1251"] = ""
    delimiter: Literal["", ";", ",", "\t"] = ""
    sheet: str = Field("", max_length=100)
    create_buildings: bool = False


class MappingWrite(Input):
    """A saved mapping of a source: the kind and {field: header}."""

    kind: ImportKind
    mapping: dict[str, str] = Field(max_length=40)


class MappingRead(BaseModel):
    """A saved mapping."""

    model_config = ConfigDict(from_attributes=True)

    source: str
    kind: ImportKind
    mapping: dict[str, str]


class Counts(BaseModel):
    """Rows by outcome."""

    create: int = 0
    update: int = 0
    unchanged: int = 0
    reject: int = 0


class ImportRead(BaseModel):
    """An import: its state, progress and counts."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: ImportKind
    status: ImportStatus
    progress: float
    counts: Counts
    source: str
    filename: str
    headers: list[str]
    mapping: dict[str, str]
    suggested: dict[str, str] = Field(default_factory=dict)
    encoding: str
    delimiter: str
    sheet: str
    create_buildings: bool
    total_rows: int
    rows_done: int = 0
    rows_per_second: float | None = None
    seconds_left: float | None = None
    stopping: bool = False  # a cancel asked the running import to stop; it is rolled back soon
    error: str
    created_at: datetime
    finished_at: datetime | None


class RowFilter(PageParams):
    """Which rows of an import to list."""

    outcome: Outcome | None = None
    page_size: int = Field(50, ge=1, le=200)


class RowRead(BaseModel):
    """The outcome of one row: its line in the file, key, the changed fields or the reason."""

    model_config = ConfigDict(from_attributes=True)

    line: int
    outcome: Outcome
    key: str
    field: str
    reason: str
    changes: dict[str, Any] | None
    values: list[str]

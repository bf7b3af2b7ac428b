"""An import (one uploaded file and its runs), its per-row outcomes, and the saved column mappings."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Enum, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core import clock
from app.db import Base, UTCDateTime


class ImportKind(StrEnum):
    """What the rows of a file are."""

    APARTMENTS = "apartments"
    LEADS = "leads"
    PAYMENTS = "payments"


class ImportStatus(StrEnum):
    """Where an import is: queued -> previewing -> preview -> applying -> done (-> undone), or failed / cancelled."""

    QUEUED = "queued"
    PREVIEWING = "previewing"
    PREVIEW = "preview"
    APPLYING = "applying"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNDONE = "undone"


class Outcome(StrEnum):
    """What a row does (or would do, in a preview)."""

    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    REJECT = "reject"


def _enum(enum_cls: type[StrEnum]) -> Enum:
    return Enum(enum_cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class ImportJob(Base):
    """One uploaded file to import: its kind, where it is kept, its mapping, state and counts."""

    __tablename__ = "imports"
    __table_args__ = (Index("ix_imports_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ImportKind] = mapped_column(_enum(ImportKind))
    source: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(300))
    path: Mapped[str] = mapped_column(String(300))
    status: Mapped[ImportStatus] = mapped_column(_enum(ImportStatus), default=ImportStatus.QUEUED)
    encoding: Mapped[str] = mapped_column(String(20), default="")
    delimiter: Mapped[str] = mapped_column(String(1), default="")
    sheet: Mapped[str] = mapped_column(String(100), default="")
    create_buildings: Mapped[bool] = mapped_column(Boolean, default=False)
    headers: Mapped[list[str]] = mapped_column(JSON, default=list)
    mapping: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    created_by: Mapped[User | None] = relationship(lazy="raise")


class ImportRow(Base):
    """The outcome of one row of the file in the latest run (preview or apply)."""

    __tablename__ = "import_rows"
    __table_args__ = (Index("ix_import_rows_import_id_outcome", "import_id", "outcome", "line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id", ondelete="CASCADE"))
    line: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[Outcome] = mapped_column(_enum(Outcome))
    key: Mapped[str] = mapped_column(String(300), default="")
    field: Mapped[str] = mapped_column(String(40), default="")
    reason: Mapped[str] = mapped_column(String(300), default="")
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    values: Mapped[list[str]] = mapped_column(JSON, default=list)


class ImportMapping(Base):
    """The columns-to-fields mapping an admin chose for a source (a file name), reused next time."""

    __tablename__ = "import_mappings"
    __table_args__ = (UniqueConstraint("kind", "source", name="uq_import_mappings_kind_source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ImportKind] = mapped_column(_enum(ImportKind))
    source: Mapped[str] = mapped_column(String(200))
    mapping: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

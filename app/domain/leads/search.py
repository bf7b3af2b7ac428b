"""Finding leads by a fragment of the name or the phone: one condition, indexed on each database.

`Lead.search_key` holds the lower-case name and the phone's digits. A fragment of three
characters or more is looked up in a trigram index: on SQLite the FTS5 table `leads_search`
(trigram tokenizer, kept in step with `leads` by triggers, migration 0012), on PostgreSQL a
pg_trgm GIN index on `search_key` that serves LIKE. Both match exactly the substrings LIKE
'%fragment%' matches, so results are the same on both; shorter fragments use LIKE alone (a scan).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, column, or_, select, table
from sqlalchemy.orm import Session

from app.db import insert_many
from app.domain.leads.models import Lead

TRIGRAM = 3  # the shortest fragment a trigram index can find
FTS_TABLE = "leads_search"
FTS_INSERT_TRIGGER = "leads_search_insert"


FTS = table(FTS_TABLE, column("rowid"), column(FTS_TABLE))


def _escaped(fragment: str) -> str:
    return fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def fragment_condition(fragment: str, dialect: str) -> ColumnElement[bool]:
    """Leads whose search key contains `fragment` (already lower-case), on `dialect`'s index."""
    if dialect == "sqlite" and len(fragment) >= TRIGRAM:
        phrase = '"' + fragment.replace('"', '""') + '"'
        return Lead.id.in_(select(FTS.c.rowid).where(FTS.c[FTS_TABLE].op("MATCH")(phrase)))
    return Lead.search_key.like(f"%{_escaped(fragment)}%", escape="\\")


def search_condition(q: str, dialect: str = "") -> ColumnElement[bool] | None:
    """Leads found by `q`: its text in the name or phone, or its digits (3+) in the phone.

    `dialect` ("sqlite", "postgresql") picks the index; without it a plain LIKE finds the same leads."""
    text = q.strip().lower()
    if not text:
        return None
    digits = "".join(ch for ch in text if ch.isdigit())
    fragments = [text] + ([digits] if len(digits) >= TRIGRAM and digits != text else [])
    return or_(*(fragment_condition(fragment, dialect) for fragment in fragments))


def insert_indexed(db: Session, rows: list[dict[str, Any]]) -> None:
    """Insert many leads (all with the same keys) and put them in the search index.

    On SQLite the index's per-row trigger costs five times the insert itself, so for a bulk insert
    it is set aside inside a savepoint, the new rows are indexed with one INSERT ... SELECT, and the
    trigger is put back before the savepoint ends: other connections never see it missing (the
    transaction holds the write lock) and any failure rolls all of it back."""
    if not rows:
        return
    conn = db.connection()
    trigger = None
    if conn.dialect.name == "sqlite":
        found = "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?"
        trigger = conn.exec_driver_sql(found, (FTS_INSERT_TRIGGER,)).scalar()
    if trigger is None:
        insert_many(db, Lead.__table__, rows)
        return
    with db.begin_nested():
        before = conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM leads").scalar()
        conn.exec_driver_sql(f"DROP TRIGGER {FTS_INSERT_TRIGGER}")
        insert_many(db, Lead.__table__, rows)
        index = f"INSERT INTO {FTS_TABLE}(rowid, search_key) SELECT id, search_key FROM leads WHERE id > ?"  # noqa: S608 (constants)
        conn.exec_driver_sql(index, (before,))
        conn.exec_driver_sql(trigger)

"""Finding leads by a fragment of the name or the phone: one condition, indexed on each database.

`Lead.search_key` holds the lower-case name and the phone's digits. A fragment of three
characters or more is looked up in a trigram index: on SQLite the FTS5 table `leads_search`
(trigram tokenizer, kept in step with `leads` by triggers, migration 0012), on PostgreSQL a
pg_trgm GIN index on `search_key` that serves LIKE. Both match exactly the substrings LIKE
'%fragment%' matches, so results are the same on both; shorter fragments use LIKE alone (a scan).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, column, or_, select, table

from app.domain.leads.models import Lead

TRIGRAM = 3  # the shortest fragment a trigram index can find
FTS_TABLE = "leads_search"


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

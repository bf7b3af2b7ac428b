"""Server-side pagination: the Page model every list answers with, offset paging, and for big
tables keyed paging (an index-only offset or a seek after a cursor) with bounded, cached counts."""

from __future__ import annotations

import base64
import json
import math
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import ColumnElement, Connection, Engine, Select, bindparam, event, func, select, tuple_
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.util import find_tables

from app.core.errors import Invalid
from app.core.types import Input

T = TypeVar("T")
MAX_PAGE_SIZE = 200
EXACT_COUNT_LIMIT = 1_000  # lists longer than this show a recent count (cached), labelled "about"
COUNT_TTL_SECONDS = 30.0
CURSOR_MAX_LENGTH = 400


class PageParams(Input):
    """Query parameters shared by every list: page, page size, search, sort."""

    @model_validator(mode="before")
    @classmethod
    def _blank_is_unset(cls, data: Any) -> Any:
        """An empty filter field in a form means "any", not an invalid value."""
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v != ""}
        return data

    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(25, ge=1, le=MAX_PAGE_SIZE)
    q: str = Field("", max_length=100)
    sort: str = Field("", max_length=40)


class KeyedPageParams(PageParams):
    """Paging of big lists: `page`, or a cursor from a neighbouring page's links (`after`, `before`)."""

    after: str = Field("", max_length=CURSOR_MAX_LENGTH)
    before: str = Field("", max_length=CURSOR_MAX_LENGTH)


class Page(BaseModel, Generic[T]):
    """One page of a list: {"items", "total", "page", "page_size"}."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    items: list[T]
    total: int
    page: int
    page_size: int
    # Not in the JSON shape: whether `total` is counted now (else a recent count, "about"), and
    # the cursors of the neighbouring pages for keyed lists.
    total_exact: bool = Field(True, exclude=True)
    next_cursor: str = Field("", exclude=True)
    prev_cursor: str = Field("", exclude=True)

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, math.ceil(self.total / self.page_size))


def paginate(db: Session, query: Select, page: int, page_size: int) -> Page:
    """Run `query` for one page of ORM rows and count the whole result."""
    total = db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = db.scalars(query.limit(page_size).offset((page - 1) * page_size)).unique().all()
    return Page(items=list(rows), total=total, page=page, page_size=page_size)


def iterate_all(db: Session, query: Select[T], batch: int = 1000, limit: int = 1_000_000) -> Iterator[T]:
    """Every row of `query` in batches from one cursor (exports): no COUNT, no OFFSET."""
    yield from db.scalars(query.limit(limit).execution_options(yield_per=batch))


def apply_sort(query: Select, sort: str, columns: dict, default: str) -> Select:
    """Order `query` by `sort` ("name" or "-name") among allowed `columns`; else `default`."""
    key = sort if sort.lstrip("-") in columns else default
    column = columns[key.lstrip("-")]
    return query.order_by(column.desc() if key.startswith("-") else column.asc())


@dataclass(frozen=True)
class SortKey:
    """How a keyed list is ordered: one column, then the id in the same direction (stable ties)."""

    name: str
    column: Any
    id_column: Any
    descending: bool

    def order(self, query: Select) -> Select:
        """`query` ordered by the column and then the id."""
        if self.descending:
            return query.order_by(self.column.desc(), self.id_column.desc())
        return query.order_by(self.column.asc(), self.id_column.asc())

    def reversed(self) -> SortKey:
        """The same key read from the other end."""
        return SortKey(self.name, self.column, self.id_column, not self.descending)

    def after(self, value: Any, row_id: int) -> ColumnElement[bool]:
        """Rows that come after (value, id) in this order."""
        pair = tuple_(self.column, self.id_column)
        bound = tuple_(
            bindparam(None, value, type_=self.column.type), bindparam(None, row_id, type_=self.id_column.type)
        )
        return pair < bound if self.descending else pair > bound


def sort_key(sort: str, columns: dict, default: str, id_column: Any) -> SortKey:
    """The SortKey of `sort` ("name" or "-name") among allowed `columns`; else `default`."""
    key = sort if sort.lstrip("-") in columns else default
    name = key.lstrip("-")
    return SortKey(name, columns[name], id_column, key.startswith("-"))


def _plain(value: Any) -> Any:
    """A sort value as JSON can hold it."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _restore(column: Any, raw: Any) -> Any:
    """A cursor's sort value back in the column's Python type."""
    kind_of = column.type
    kind = getattr(kind_of, "impl_instance", kind_of).python_type  # a TypeDecorator's own type
    if kind is datetime:
        return datetime.fromisoformat(raw)
    if kind is date:
        return date.fromisoformat(raw)
    return kind(raw)


def make_cursor(key: SortKey, value: Any, row_id: int) -> str:
    """An opaque token naming the position of one row in a keyed list."""
    raw = json.dumps([key.name, _plain(value), row_id], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def read_cursor(key: SortKey, token: str, field: str) -> tuple[Any, int]:
    """(sort value, id) of a cursor made for this sort; Invalid naming `field` otherwise."""
    try:
        name, raw, row_id = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if name != key.name or not isinstance(row_id, int) or isinstance(row_id, bool):
            raise ValueError(name)
        return _restore(key.column, raw), row_id
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise Invalid("This page link is out of date: open the list again.", field=field) from exc


def keyed_page(
    db: Session,
    query: Select,
    key: SortKey,
    params: KeyedPageParams,
    options: Sequence[Any] = (),
) -> Page:
    """One page of `query` (filters only, no order) in `key`'s order, cheap at any depth.

    With a cursor (`after`/`before`, from a neighbouring page's links) it seeks from that row;
    else `page` is an offset taken over the ids alone (an index-only walk, from whichever end is
    nearer), and the page's rows are then loaded by id with `options`. The total is exact up to
    EXACT_COUNT_LIMIT rows, beyond that a count cached for a few seconds (`total_exact` False).
    """
    total, exact = count_rows(db, query, key.id_column)
    size = params.page_size
    if params.after or params.before:
        forward = bool(params.after)
        value, row_id = read_cursor(key, params.after or params.before, "after" if forward else "before")
        walk = key if forward else key.reversed()
        ids = list(db.scalars(walk.order(_ids(query, key).where(walk.after(value, row_id))).limit(size)))
        ids = ids if forward else ids[::-1]
    else:
        ids = _ids_at(db, query, key, (params.page - 1) * size, size, total)
    rows = _load(db, query, key, ids, options)
    page = Page(items=rows, total=total, page=params.page, page_size=size, total_exact=exact)
    if rows:
        first, last = rows[0], rows[-1]
        column = key.column.key
        page.prev_cursor = make_cursor(key, getattr(first, column), first.id) if params.page > 1 else ""
        page.next_cursor = make_cursor(key, getattr(last, column), last.id)
    return page


def _ids(query: Select, key: SortKey) -> Select:
    """The ids of `query`'s rows (with the sort column, so an index on (column, id) covers it)."""
    return query.with_only_columns(key.id_column).order_by(None)


def _ids_at(db: Session, query: Select, key: SortKey, offset: int, size: int, total: int) -> list[int]:
    """The ids of one page by offset, walked from the nearer end of the list."""
    if offset >= total:
        return []
    from_end = total - offset - size
    if offset > total // 2 and from_end > -size:
        limit = size + min(0, from_end)
        reverse = key.reversed().order(_ids(query, key)).limit(limit).offset(max(0, from_end))
        return list(db.scalars(reverse))[::-1]
    return list(db.scalars(key.order(_ids(query, key)).limit(size).offset(offset)))


def _load(db: Session, query: Select, key: SortKey, ids: list[int], options: Sequence[Any]) -> list:
    """The rows of `ids` (in that order) with what the list shows loaded."""
    if not ids:
        return []
    entity = query.column_descriptions[0]["entity"]
    found = {row.id: row for row in db.scalars(select(entity).where(key.id_column.in_(ids)).options(*options)).unique()}
    return [found[i] for i in ids if i in found]


class _CountCache:
    """Recent full counts by statement, forgotten after COUNT_TTL_SECONDS or a write to their tables.

    Writes are seen through this process's sessions (flushes and ORM bulk statements); other
    processes' writes show once the entry is older than the TTL.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple, tuple[float, int]] = {}
        self._generations: dict[str, int] = {}

    def generation(self, tables: frozenset[str]) -> tuple[int, ...]:
        """The write generations of `tables` (part of a cache key)."""
        return tuple(self._generations.get(name, 0) for name in sorted(tables))

    def bump(self, tables: set[str]) -> None:
        """Note a write to `tables`."""
        with self._lock:
            for name in tables:
                self._generations[name] = self._generations.get(name, 0) + 1

    def get(self, key: tuple) -> int | None:
        """A fresh count of `key`, or None."""
        hit = self._counts.get(key)
        return hit[1] if hit and time.monotonic() - hit[0] < COUNT_TTL_SECONDS else None

    def put(self, key: tuple, count: int) -> None:
        """Remember `count` for `key`, dropping stale entries when the cache grows."""
        with self._lock:
            if len(self._counts) > 1000:
                now = time.monotonic()
                self._counts = {k: v for k, v in self._counts.items() if now - v[0] < COUNT_TTL_SECONDS}
            self._counts[key] = (time.monotonic(), count)

    def clear(self) -> None:
        """Forget every count."""
        with self._lock:
            self._counts.clear()


counts = _CountCache()


def count_rows(db: Session, query: Select, id_column: Any, limit: int | None = None) -> tuple[int, bool]:
    """(how many rows `query` has, exact?): a list known to be long answers its recent count
    (cached COUNT_TTL_SECONDS, not exact); else a count bounded at `limit` (EXACT_COUNT_LIMIT)
    rows is exact, and past the bound one full count is made and cached."""
    limit = EXACT_COUNT_LIMIT if limit is None else limit
    ids = query.with_only_columns(id_column).order_by(None)
    full = select(func.count()).select_from(ids.subquery())
    bind = db.get_bind()
    compiled = full.compile(dialect=bind.dialect)
    tables = frozenset(t.name for t in find_tables(query, include_crud=True) if hasattr(t, "name"))
    key = (str(bind.engine.url), str(compiled), repr(sorted(compiled.params.items())), counts.generation(tables))
    cached = counts.get(key)
    if cached is not None:
        return cached, False
    bounded = db.scalar(select(func.count()).select_from(ids.limit(limit + 1).subquery())) or 0
    if bounded <= limit:
        return bounded, True
    total = db.scalar(full) or 0
    counts.put(key, total)
    return max(total, bounded), False


def _table_of(instance: object) -> str | None:
    table = getattr(type(instance), "__table__", None)
    return getattr(table, "name", None)


def _written(session: Session, tables: set[str]) -> None:
    """Cached counts of `tables` are stale now, and again if this transaction is undone."""
    counts.bump(tables)
    session.connection().info.setdefault("count_tables", set()).update(tables)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: object) -> None:
    """Rows inserted, changed or deleted: cached counts of their tables are stale."""
    tables = {_table_of(obj) for obj in (*session.new, *session.dirty, *session.deleted)}
    tables.discard(None)
    if tables:
        _written(session, tables)  # type: ignore[arg-type]


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state: ORMExecuteState) -> None:
    """ORM bulk INSERT/UPDATE/DELETE statements make cached counts of their table stale."""
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None):
            _written(state.session, {table.name})


@event.listens_for(Engine, "rollback")
def _undone(conn: Connection) -> None:
    """Counts made inside a transaction that is undone counted rows that are gone."""
    tables = conn.info.pop("count_tables", None)
    if tables:
        counts.bump(tables)


@event.listens_for(Engine, "rollback_savepoint")
def _savepoint_undone(conn: Connection, *_args: object) -> None:
    """As `_undone`, for a savepoint (the transaction goes on)."""
    tables = conn.info.get("count_tables")
    if tables:
        counts.bump(tables)


@event.listens_for(Engine, "commit")
def _committed(conn: Connection) -> None:
    conn.info.pop("count_tables", None)

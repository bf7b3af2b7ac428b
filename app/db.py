"""Engine, session factory and declarative Base for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from sqlite3 import Connection as SQLiteConnection
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    ColumnElement,
    Connection,
    DateTime,
    Dialect,
    Engine,
    MetaData,
    Numeric,
    Table,
    any_,
    bindparam,
    create_engine,
    event,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, ORMExecuteState, Session, SessionTransaction, UOWTransaction, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator, TypeEngine

from app.core import cache, events

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLITE_BUSY_TIMEOUT_MS = 15000
WRITE_OPTION = "crm_write"
# Requests holding a session at once, per process (app.auth.deps.get_db): well under the 40
# worker threads. The pool holds these plus POOL_RESERVE for what takes no slot (/health/db,
# jobs run inline), so a request that holds a slot never waits for a connection.
DB_REQUEST_SLOTS = 20
POOL_RESERVE = 5
DEFAULT_POOL_SIZE = DB_REQUEST_SLOTS + POOL_RESERVE
DEFAULT_POOL_TIMEOUT = 5  # seconds; a longer wait answers 503 with Retry-After (app.web.handlers)


class Base(DeclarativeBase):
    """Declarative base of every model, with a stable constraint naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on both SQLite (which drops tzinfo) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store aware datetimes as UTC."""
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return aware UTC datetimes."""
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class _ScaledInteger(Numeric):
    """NUMERIC(p, s) in the DDL; on SQLite the value travels as an integer count of 10**-s units."""

    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        """No float conversion on the way in."""
        return None

    def result_processor(self, dialect: Dialect, coltype: object) -> None:
        """No float conversion on the way out."""
        return None


class ExactNumeric(TypeDecorator):
    """A Decimal column that stays exact on SQLite too (and in its SUMs).

    SQLite keeps NUMERIC values as binary floats (15 significant digits), so 99999999999999.99
    came back as .98 and sums as 52595.400000000008731. There the value is stored as an integer
    number of cents (10**-scale units): comparisons, subtraction and SUM stay exact and in SQL.
    PostgreSQL keeps its own exact NUMERIC.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__(precision, scale, asdecimal=True)
        self.scale = scale

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine:
        """Unprocessed integers on SQLite, the native NUMERIC elsewhere."""
        if dialect.name == "sqlite":
            return dialect.type_descriptor(_ScaledInteger(self.impl.precision, self.scale))
        return dialect.type_descriptor(self.impl)

    def process_bind_param(self, value: object, dialect: Dialect) -> object:
        """Decimal -> integer units on SQLite."""
        if value is None or dialect.name != "sqlite":
            return value
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        return int(number.scaleb(self.scale).to_integral_value(ROUND_HALF_UP))

    def process_result_value(self, value: object, dialect: Dialect) -> Decimal | None:
        """Integer units -> Decimal on SQLite."""
        if value is None:
            return None
        if dialect.name != "sqlite":
            return value if isinstance(value, Decimal) else Decimal(str(value))
        units = Decimal(value) if isinstance(value, int) else Decimal(str(value))
        return units.scaleb(-self.scale).quantize(Decimal(1).scaleb(-self.scale), rounding=ROUND_HALF_UP)

    @property
    def python_type(self) -> type:
        """Decimal."""
        return Decimal


def _unicode_lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, busy timeout; BEGIN IMMEDIATE for write transactions."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: SQLiteConnection, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # SQLite's own lower() folds ASCII only; searches must fold Cyrillic names too.
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def get_engine(url: str, pool_size: int = 0, pool_timeout: float = 0) -> Engine:
    """One engine per database URL (and pool), configured for its dialect.

    The pool holds `pool_size` connections (0: DEFAULT_POOL_SIZE) and no overflow; a checkout
    waits at most `pool_timeout` seconds (0: DEFAULT_POOL_TIMEOUT), then raises TimeoutError.
    """
    return _engine(url, pool_size or DEFAULT_POOL_SIZE, pool_timeout or DEFAULT_POOL_TIMEOUT)


@lru_cache(maxsize=16)
def _engine(url: str, pool_size: int, pool_timeout: float) -> Engine:
    parsed = make_url(url)
    pool = {"pool_size": pool_size, "max_overflow": 0, "pool_timeout": pool_timeout}
    if parsed.get_backend_name() == "sqlite":
        memory = not parsed.database or parsed.database == ":memory:"
        if not memory:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        engine = create_engine(url, connect_args=connect_args, **({} if memory else pool))
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **pool)


def session_factory(url: str, pool_size: int = 0, pool_timeout: float = 0) -> sessionmaker[Session]:
    """A session factory for the database at `url` (reads; see `write_session_factory`)."""
    return sessionmaker(bind=get_engine(url, pool_size, pool_timeout), expire_on_commit=False)


def write_session_factory(url: str, pool_size: int = 0, pool_timeout: float = 0) -> sessionmaker[Session]:
    """A session factory whose transactions take the write lock up front on SQLite."""
    engine = get_engine(url, pool_size, pool_timeout).execution_options(**{WRITE_OPTION: True})
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A unit of work: commit on success, roll back on any error, always close."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def write_session(url: str) -> AbstractContextManager[Session]:
    """A write unit of work for tasks and the CLI (see `transaction`)."""
    return transaction(write_session_factory(url))


# Which cached aggregates (app/core/cache.py) each table feeds: a commit that wrote one of these
# tables bumps its area.
CACHE_AREAS = {
    "leads": "leads",
    "lead_status_changes": "leads",
    "contracts": "contracts",
    "bookings": "bookings",
    "campaigns": "marketing",
    "expense_categories": "marketing",
    "sales_plans": "plans",
    "expenses": "expenses",
    "users": "users",
    "exchange_rates": "rates",
}
_CHANGED = "crm_changed_areas"  # Session.info key: areas written since the last commit


_OUTBOX = "crm_after_commit"  # Session.info key: events to publish once the outer transaction commits


def after_commit(session: Session, kind: str, **payload: Any) -> None:
    """Publish the event `kind` (app/core/events.py) once this session's transaction commits; an event
    noted inside a savepoint that is rolled back is forgotten with it."""
    session.info.setdefault(_OUTBOX, []).append((kind, payload, session.get_nested_transaction()))


def _within(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def _note(session: Session, table: str | None) -> None:
    area = CACHE_AREAS.get(table or "")
    if area:
        session.info.setdefault(_CHANGED, set()).add(area)


@event.listens_for(Session, "after_flush")
def _note_flushed(session: Session, _flush: UOWTransaction) -> None:
    """Note the areas of the rows this flush inserted, changed or deleted."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        _note(session, getattr(type(obj), "__tablename__", None))


@event.listens_for(Session, "do_orm_execute")
def _note_bulk(state: ORMExecuteState) -> None:
    """Note the area of a bulk INSERT / UPDATE / DELETE run through the session."""
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        _note(state.session, getattr(table, "name", None))


@event.listens_for(Session, "after_commit")
def _bump_committed(session: Session) -> None:
    """The commit is durable: invalidate the cached aggregates of the areas it changed (a
    savepoint's release is not durable yet: its notes wait for the outer commit)."""
    if session.in_nested_transaction():
        return
    changed = session.info.pop(_CHANGED, None)
    if changed:
        cache.bump(changed)
    for kind, payload, _savepoint in session.info.pop(_OUTBOX, ()):
        events.publish(kind, payload)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous: SessionTransaction) -> None:
    """Nothing of a rolled-back transaction stays (a savepoint's rollback keeps what is noted)."""
    if previous.parent is None:
        session.info.pop(_CHANGED, None)
        session.info.pop(_OUTBOX, None)
    elif session.info.get(_OUTBOX):
        session.info[_OUTBOX] = [e for e in session.info[_OUTBOX] if not _within(e[2], previous)]


def one_of(column: Any, values: Any, dialect: str) -> ColumnElement[bool]:
    """`column IN values` with the values in one bound parameter (json_each on SQLite, = ANY on
    PostgreSQL): thousands of keys per statement without compiling thousands of placeholders."""
    values = list(values)
    if dialect == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    keys = select(literal_column("value")).select_from(func.json_each(bindparam(None, _json_text(values))))
    return column.in_(keys.scalar_subquery())


def _json_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _bind_processor(type_: TypeEngine, dialect: Dialect) -> Any:
    """The column type's bind processor; JSON through orjson (the same text, ten times faster)."""
    proc = type_._cached_bind_processor(dialect)
    if isinstance(type_, JSON) and not isinstance(type_, TypeDecorator) and proc is not None:
        return lambda value: proc(value) if value is None else _json_text(value)
    return proc


def _converted(proc: Any, values: list[Any]) -> list[Any]:
    """`values` through the bind processor, converting a run of one same object once (the chunk's
    "now", a status) instead of per row."""
    if proc is None:
        return values
    out: list[Any] = []
    last: Any = out  # a sentinel no value is
    converted: Any = None
    for value in values:
        if value is not last:
            last, converted = value, proc(value)
        out.append(converted)
    return out


MULTIROW_PARAMETERS = 30_000  # bound values per statement (SQLite allows 32,766 at the least)


def _insert_multirow(conn: Connection, single: str, width: int, rows: list[tuple]) -> None:
    """SQLite: the rows in statements of many VALUES groups each (40% faster than executemany,
    which steps the statement once per row)."""
    head, _, group = single.partition(" VALUES ")
    per_statement = max(1, min(2000, MULTIROW_PARAMETERS // max(width, 1)))
    for start in range(0, len(rows), per_statement):
        batch = rows[start : start + per_statement]
        sql = f"{head} VALUES {', '.join([group] * len(batch))}"
        conn.exec_driver_sql(sql, tuple(value for row in batch for value in row))


def _copy_rows(conn: Connection, table: Table, keys: list[str], rows: list[tuple]) -> None:
    """PostgreSQL: the rows through COPY ... FROM STDIN in the session's transaction (several
    times faster than an INSERT per row)."""
    quote = conn.dialect.identifier_preparer.quote
    columns = ", ".join(quote(table.c[key].name) for key in keys)
    statement = f"COPY {quote(table.name)} ({columns}) FROM STDIN"
    dbapi_error = conn.dialect.loaded_dbapi.Error
    try:
        with conn.connection.dbapi_connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except dbapi_error as exc:  # as SQLAlchemy's own statements raise it: IntegrityError and the like
        raise DBAPIError.instance(statement, None, exc, dbapi_error) from exc


def insert_many(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows (all with the same keys) in bulk: multi-row VALUES on SQLite, COPY on
    PostgreSQL. The column types convert the values, Python-side column defaults fill the missing
    columns, and there is no per-row ORM or Core work."""
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    keys = list(rows[0])
    missing = [
        c
        for c in table.columns
        if c.key not in rows[0] and c.default is not None and (c.default.is_scalar or c.default.is_callable)
    ]
    defaults = {c.key: c.default.arg(None) if c.default.is_callable else c.default.arg for c in missing}
    compiled = table.insert().compile(dialect=dialect, column_keys=[*keys, *defaults])
    names = list(compiled.positiontup) if compiled.positional else list(compiled.binds)
    columns = []
    for name in names:
        raw = [row[name] for row in rows] if name in keys else [defaults[name]] * len(rows)
        columns.append(_converted(_bind_processor(table.c[name].type, dialect), raw))
    _note(session, table.name)  # cached aggregates over this table are refreshed on commit
    values = list(zip(*columns, strict=True))
    if dialect.name == "postgresql":
        _copy_rows(conn, table, names, values)
    else:
        _insert_multirow(conn, compiled.string, len(names), values)

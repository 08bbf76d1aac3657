"""Short reads on the event loop itself, for the one query every signed-in request makes.

The API runs its database work in threads (:func:`dynamic_api.db.run_in_session`): the
drivers are synchronous and a handler stays one readable block. For the session lookup of
every signed-in request that hop was the largest cost left (``benchmarks/api/README.md``):
the worker and the event loop take the GIL from each other at every step, so a 30 us query
cost several hundred microseconds of CPU and latency. A :class:`LoopReader` runs such a read
on the event loop instead, where the backend allows it without risking a stall:

- **SQLite** (:class:`SQLiteLoopReader`): a dedicated connection, ``query_only`` and
  ``busy_timeout=0``. In WAL mode readers never wait for the writer, an indexed read of
  cached pages takes microseconds, and a read that finds the database busy (a checkpoint or
  recovery, rare) fails at once instead of blocking the loop: the caller falls back to the
  thread path, which waits as usual.
- **PostgreSQL** (:class:`PostgresLoopReader`): a few asyncpg connections of its own (the
  engine keeps psycopg for everything else), each query outside a transaction, so a read is
  one round trip (no ``BEGIN``/``ROLLBACK``, no pre-ping), and the loop serves other
  requests while it waits.
- **Anything else** (MariaDB/MySQL through PyMySQL): no reader (:func:`loop_reader_for`
  returns ``None``); the caller keeps the thread path.

A reader answers ``None`` whenever it cannot answer *now* (database busy, connection lost,
any driver error): the caller then runs the same query on the thread path, which is the
authority (it retries through the engine's pool and turns a real outage into 503). Readers
never write and never cache: each call reads the database.

Statements are SQLAlchemy Core ``SELECT`` objects, compiled once per reader for its dialect
(:class:`CompiledRead`); parameters and result columns go through the column types' own
processors (``UTCDateTime`` included), so rows come back exactly as SQLAlchemy would return
them, as plain tuples.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

import sqlalchemy as sa
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.sql.compiler import SQLCompiler

logger = logging.getLogger(__name__)

#: Connections a PostgreSQL reader keeps: each runs one query at a time, and a query is one
#: short round trip, so a few keep up with one event loop.
POSTGRES_CONNECTIONS = 4

#: Seconds to wait for the database server to accept a reader's connection.
CONNECT_TIMEOUT = 10

#: Seconds a PostgreSQL reader steps aside after failing to connect.
RECONNECT_DELAY = 5

#: Seconds to wait for a graceful close at shutdown.
CLOSE_TIMEOUT = 2

Row = tuple[Any, ...]
Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class CompiledRead:
    """A ``SELECT`` compiled once for one dialect, ready for that dialect's raw driver."""

    sql: str
    compiled: SQLCompiler
    #: Parameter names in order, for positional drivers (sqlite3's ``?``); None for named.
    positional: tuple[str, ...] | None
    bind_processors: Mapping[str, Callable[[Any], Any]]
    result_processors: tuple[Processor, ...]

    @classmethod
    def of(cls, statement: sa.Select[Any], dialect: Dialect) -> CompiledRead:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        binds = {}
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                binds[name] = process
        results = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in statement.selected_columns
        )
        positional = tuple(compiled.positiontup or ()) if compiled.positional else None
        return cls(str(compiled), compiled, positional, binds, results)

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        """``values`` (and the statement's own literals) as the driver takes them."""
        params = self.compiled.construct_params(dict(values))
        for name, process in self.bind_processors.items():
            params[name] = process(params[name])
        if self.positional is not None:
            return tuple(params[name] for name in self.positional)
        return params

    def rows(self, raw: Sequence[Sequence[Any]]) -> list[Row]:
        """Driver rows converted as SQLAlchemy would (aware UTC datetimes, …)."""
        processors = self.result_processors
        return [
            tuple(
                value if process is None or value is None else process(value)
                for process, value in zip(processors, row, strict=True)
            )
            for row in raw
        ]


class LoopReader(Protocol):
    """Runs a read-only ``SELECT`` on the event loop; ``None`` when it cannot answer now."""

    async def fetch(self, statement: sa.Select[Any], values: Mapping[str, Any]) -> list[Row] | None:
        """All rows of ``statement`` with ``values``, or ``None``: use the thread path."""
        ...

    async def close(self) -> None: ...


class _Compiling:
    """Compiles each statement once for the reader's dialect (statements are module-level
    constants, so the cache stays as small as the set of hot reads)."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._compiled: dict[sa.Select[Any], CompiledRead] = {}

    def compiled(self, statement: sa.Select[Any]) -> CompiledRead:
        read = self._compiled.get(statement)
        if read is None:
            read = self._compiled[statement] = CompiledRead.of(statement, self.dialect)
        return read


class SQLiteLoopReader(_Compiling):
    """Reads an SQLite file on the event loop through one connection of its own.

    ``query_only`` makes it refuse any write; ``busy_timeout=0`` makes a read that would
    wait fail at once (then ``fetch`` answers ``None``), so the loop is never held by a lock.
    Autocommit (``isolation_level=None``): each read sees everything committed before it.
    """

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine.dialect)
        self.engine = engine
        self._connection: Any = None

    def _connect(self) -> Any:
        dialect = self.engine.dialect
        args, kwargs = dialect.create_connect_args(self.engine.url)
        kwargs.update(check_same_thread=False, isolation_level=None, timeout=0)
        connection = dialect.loaded_dbapi.connect(*args, **kwargs)
        connection.execute("PRAGMA query_only=ON")
        connection.execute("PRAGMA busy_timeout=0")
        return connection

    async def fetch(self, statement: sa.Select[Any], values: Mapping[str, Any]) -> list[Row] | None:
        read = self.compiled(statement)
        error = self.engine.dialect.loaded_dbapi.Error
        try:
            if self._connection is None:
                self._connection = self._connect()
            raw = self._connection.execute(read.sql, read.parameters(values)).fetchall()
        except error as exc:  # busy, or anything odd: the thread path decides
            logger.debug("SQLite loop read failed (%s); using a database thread", exc)
            return None
        return read.rows(raw)

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class PostgresLoopReader(_Compiling):
    """Reads PostgreSQL through a few asyncpg connections, whatever the engine's driver.

    asyncpg rather than psycopg's ``AsyncConnection`` (the engine's own driver): its
    protocol is built for asyncio (one registered socket, parsing in Cython), so a lookup
    costs the loop about half the CPU, and under load the ratio of the API benchmark went
    from 0.36-0.44 with psycopg to 0.57-0.60 (``benchmarks/api/README.md``). Each query runs
    outside a transaction (asyncpg's default, like autocommit): one round trip, no
    ``BEGIN``/``ROLLBACK``, no pre-ping; asyncpg prepares and caches the statement.

    At most :data:`POSTGRES_CONNECTIONS` exist, each opened on first need and kept. A
    connection that failed, or whose query was cancelled midway (the client went away), is
    dropped, not reused: its state is unknown; the next read opens a new one. When opening
    one fails (database down, wrong settings), the reader steps aside for
    :data:`RECONNECT_DELAY` seconds, so requests do not each wait for a connect timeout
    before the thread path.
    """

    def __init__(self, engine: Engine, size: int = POSTGRES_CONNECTIONS) -> None:
        from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg

        super().__init__(PGDialect_asyncpg())  # its SQL ($1, $2) and type processing
        #: The engine's URL as a libpq-style DSN, which asyncpg reads (host, port, sslmode, …).
        self.dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._slots = asyncio.Semaphore(size)
        self._idle: list[Any] = []  # asyncpg.Connection
        self._closed = False
        self._retry_at = 0.0

    async def _connect(self) -> Any:
        import asyncpg

        return await asyncpg.connect(self.dsn, timeout=CONNECT_TIMEOUT)

    async def fetch(self, statement: sa.Select[Any], values: Mapping[str, Any]) -> list[Row] | None:
        if self._retry_at and time.monotonic() < self._retry_at:
            return None
        read = self.compiled(statement)
        async with self._slots:
            connection = await self._checkout()
            if connection is None:
                return None
            try:
                raw = await connection.fetch(read.sql, *read.parameters(values))
            except Exception as exc:  # lost (a server restart), or anything else: the
                # thread path answers instead, with the engine's own error handling
                logger.warning(
                    "A session lookup failed on the event loop (%r); retrying in a thread", exc
                )
                connection.terminate()
                return None
            except BaseException:  # cancelled midway: the connection's state is unknown
                connection.terminate()
                raise
            if self._closed:
                connection.terminate()
            else:
                self._idle.append(connection)
        return read.rows(raw)

    async def _checkout(self) -> Any | None:
        """An idle connection still open, else a new one; ``None`` when connecting fails."""
        while self._idle:
            connection = self._idle.pop()
            if not connection.is_closed():  # the server may have ended it meanwhile
                return connection
        try:
            connection = await self._connect()
        except Exception as exc:  # unreachable, refused, bad settings: all the same here
            self._retry_at = time.monotonic() + RECONNECT_DELAY
            logger.warning(
                "Session lookups cannot connect on the event loop (%s); they use database "
                "threads for %d s",
                exc,
                RECONNECT_DELAY,
            )
            return None
        self._retry_at = 0.0
        return connection

    async def close(self) -> None:
        self._closed = True
        while self._idle:
            connection = self._idle.pop()
            try:
                await connection.close(timeout=CLOSE_TIMEOUT)
            except Exception:  # already gone, or the server does not answer
                connection.terminate()


def loop_reader_for(engine: Engine) -> LoopReader | None:
    """The reader that suits ``engine``'s backend, or ``None`` (keep the thread path).

    SQLite only for a database file (an in-memory database is private to each connection);
    PostgreSQL with any engine driver, when asyncpg is installed (a dependency).
    """
    backend, driver = engine.dialect.name, engine.dialect.driver
    if backend == "sqlite" and driver == "pysqlite":
        database = engine.url.database or ""
        if database and database != ":memory:" and "mode=memory" not in database:
            return SQLiteLoopReader(engine)
        return None
    if backend == "postgresql" and importlib.util.find_spec("asyncpg") is not None:
        return PostgresLoopReader(engine)
    return None

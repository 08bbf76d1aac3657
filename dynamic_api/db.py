"""The data layer's plumbing: one engine per settings, one session helper, UTC times.

The API is async but the database work is plain synchronous SQLAlchemy, run in Starlette's
thread pool: the drivers we use (sqlite3, psycopg, PyMySQL) are synchronous and mature, and
a handler stays one readable block::

    user = await run_in_session(request, accounts.get_user, user_id)

Inside the pool, ``with session_scope(engine) as session:`` commits on success and rolls back
on any exception. The engine is created in the app's lifespan (``app.state.engine``).

Every time is stored as a *naive UTC* ``DATETIME``/``TIMESTAMP`` with microseconds on all
three databases (SQLite has no zone type, MariaDB's ``TIMESTAMP`` wraps in 2038), and comes
back timezone-aware through :class:`UTCDateTime`.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from dynamic_api.errors import error_response
from site_builder.settings import Settings

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Seconds SQLite waits for another writer before failing with "database is locked".
SQLITE_BUSY_TIMEOUT = 15

#: Seconds to wait for a database server to accept a connection.
CONNECT_TIMEOUT = 10

#: Threads for the database work of the endpoints (``run_in_session``).
DB_THREADS = 13

#: Threads for the session lookup of signed-in requests (``run_in_connection``): one short
#: query each, so two keep up, and fewer threads handing the GIL back and forth cost less
#: CPU per request. Separate, so sign-ins (Argon2 inside their database work) cannot delay
#: every signed-in page. On SQLite and PostgreSQL the lookup itself runs on the event loop
#: (``dynamic_api/loop_reads.py``); these threads then write the sliding extension and take
#: the lookups that path cannot answer (and all of them on MariaDB).
LOOKUP_THREADS = 2

#: Connections the pool keeps open, and the most it opens: one per database thread, the same
#: cap as SQLAlchemy's default (5 kept + 10 "overflow"), all kept. With the default, every
#: request beyond the fifth concurrent one opened a connection and closed it again after one
#: query (on SQLite: open the file, four PRAGMAs, read the schema; on a server: connect and
#: authenticate), which cost more than the query itself under load (benchmarks/api/README.md).
POOL_SIZE = DB_THREADS + LOOKUP_THREADS


def utcnow() -> datetime:
    """Now, timezone-aware, in UTC: the only clock the data layer uses."""
    return datetime.now(UTC)


#: A DATETIME with microseconds everywhere; MariaDB/MySQL default to whole seconds.
DATETIME_TYPE = sa.DateTime(timezone=False).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Stores aware datetimes as naive UTC; returns them aware (``tzinfo=UTC``).

    A naive datetime is refused on the way in: it is a bug to guess its zone.
    """

    impl = sa.DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name in {"mysql", "mariadb"}:
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(sa.DateTime(timezone=False))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime (see db.utcnow())")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


# --- engines -----------------------------------------------------------------------------


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """Every SQLite connection: WAL (readers never block the writer), foreign keys enforced."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT * 1000}")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, and much faster
    finally:
        cursor.close()


def create_db_engine(url: str) -> Engine:
    """An engine for ``url`` with the settings each backend needs.

    SQLite: the file's folder is created, connections may cross threads (the pool hands them
    to worker threads), and :func:`_sqlite_pragmas` runs on connect. Servers: connections are
    checked before use (a database restart must not surface as a 500) and MariaDB's are
    recycled before its ``wait_timeout`` closes them. Every pool keeps up to
    :data:`POOL_SIZE` connections open and opens no more.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        options: dict[str, Any] = {}
        if database and database != ":memory:":
            options.update(pool_size=POOL_SIZE, max_overflow=0)
        engine = sa.create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT},
            **options,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    options = {"pool_pre_ping": True, "pool_size": POOL_SIZE, "max_overflow": 0}
    if backend == "postgresql":
        options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT}
    if backend in {"mysql", "mariadb"}:
        options["pool_recycle"] = 3600
        # PostgreSQL's default: no gap locks, so "update, else insert-ignore" (upsert.py)
        # cannot deadlock against itself the way it does under REPEATABLE READ.
        options["isolation_level"] = "READ COMMITTED"
        options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT}
    return sa.create_engine(url, **options)


def engine_for(settings: Settings) -> Engine:
    """The engine for ``settings.effective_database_url()``."""
    url = settings.effective_database_url()
    logger.info("Database: %s", safe_url(url))
    return create_db_engine(url)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def safe_url(url: str) -> str:
    """``url`` with any password masked, for logs and messages."""
    return make_url(url).render_as_string(hide_password=True)


# --- sessions ----------------------------------------------------------------------------


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits when the block ends normally and rolls back otherwise.

    ``expire_on_commit=False`` keeps loaded objects readable after the commit, so a handler
    can build its response from them outside the block.
    """
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def request_engine(request: Request) -> Engine:
    """The app's engine; set by the lifespan, so a test client must be used as ``with``."""
    engine: Engine | None = getattr(request.app.state, "engine", None)
    if engine is None:
        raise RuntimeError("No database engine: the API's lifespan has not run")
    return engine


def database_executors() -> dict[str, ThreadPoolExecutor]:
    """The threads that run the API's database work, one per pooled connection (so no
    thread waits for a connection): ``db_executor`` (:data:`DB_THREADS`) and
    ``lookup_executor`` (:data:`LOOKUP_THREADS`), as the app's lifespan stores them."""
    return {
        "db_executor": ThreadPoolExecutor(max_workers=DB_THREADS, thread_name_prefix="lms-db"),
        "lookup_executor": ThreadPoolExecutor(
            max_workers=LOOKUP_THREADS, thread_name_prefix="lms-db-lookup"
        ),
    }


async def in_database_thread(
    request: Request, call: Callable[[], T], executor_name: str = "db_executor"
) -> T:
    """``call()`` on one of the app's database executors (Starlette's pool without them).

    ``loop.run_in_executor`` rather than ``run_in_threadpool``: anyio's per-call machinery
    (capacity limiter, cancel scope, checkpoints) cost the event loop more than the session
    lookup itself under load (benchmarks/api/README.md). Context variables are carried over
    as anyio does. A cancelled request stops waiting, but ``call()`` still runs to its end
    (commit or rollback) in its thread.
    """
    executor: ThreadPoolExecutor | None = getattr(request.app.state, executor_name, None)
    if executor is None:
        return await run_in_threadpool(call)
    context = contextvars.copy_context()
    return await asyncio.get_running_loop().run_in_executor(executor, context.run, call)


#: A transaction the database chose as a deadlock victim is run again this many times.
DEADLOCK_RETRIES = 3


def is_deadlock(exc: sa.exc.DBAPIError) -> bool:
    """MariaDB/MySQL 1213 (deadlock) or 1205 (lock wait timeout); PostgreSQL 40P01/40001."""
    orig = exc.orig
    code = getattr(orig, "args", [None])[0] if orig is not None else None
    if code in (1213, 1205):
        return True
    return getattr(orig, "sqlstate", None) in {"40P01", "40001"}


async def run_in_session(request: Request, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run ``fn(session, *args, **kwargs)`` in a database thread inside :func:`session_scope`."""
    engine = request_engine(request)

    def call() -> T:
        for attempt in range(DEADLOCK_RETRIES + 1):
            try:
                with session_scope(engine) as session:
                    return fn(session, *args, **kwargs)
            except sa.exc.DBAPIError as exc:
                if attempt == DEADLOCK_RETRIES or not is_deadlock(exc):
                    raise
                logger.info("Deadlock, retrying (%s): %s", attempt + 1, exc.orig)
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    return await in_database_thread(request, call)


async def run_in_connection(
    request: Request, fn: Callable[..., T], /, *args: Any, **kwargs: Any
) -> T:
    """Run ``fn(connection, *args, **kwargs)`` in a database thread with a pooled connection.

    For short hot paths written in SQLAlchemy Core (the session lookup and its sliding
    extension, when they do not run on the event loop), on the lookup threads: no ORM
    ``Session`` to build, flush and close around a single query. ``fn`` commits what
    it writes (``connection.commit()``); anything left uncommitted is rolled back when the
    connection goes back to the pool, so a read-only call costs no commit.
    """
    engine = request_engine(request)

    def call() -> T:
        with engine.connect() as connection:
            return fn(connection, *args, **kwargs)

    return await in_database_thread(request, call, "lookup_executor")


async def database_unavailable(request: Request, exc: Exception) -> Response:
    """A database that cannot be reached (or stays locked) is 503, not a crash: the client
    may retry, and a load balancer sees the same in ``GET /api/health``."""
    logger.error("Database unavailable on %s %s: %s", request.method, request.url.path, exc)
    return error_response(
        503,
        "database_unavailable",
        "The service cannot reach its database right now. Please try again in a moment.",
        headers={"Retry-After": "5"},
    )


def ping(engine: Engine) -> None:
    """Raise unless the database answers ``SELECT 1``."""
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))

"""Session lookups on the event loop (dynamic_api/loop_reads.py) and their thread fallback.

Whatever path a lookup takes, the answer must be the database's answer of that moment:
no cache, so signing out counts on the very next request.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import UTC, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from api_support import PASSWORD, Databases, UserFactory
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.testclient import TestClient

from dynamic_api.db import create_db_engine, utcnow
from dynamic_api.loop_reads import (
    PostgresLoopReader,
    SQLiteLoopReader,
    loop_reader_for,
)
from dynamic_api.models import METADATA
from dynamic_api.sessions import LOOKUP, lookup_parameters

pytestmark = pytest.mark.all_databases


def sign_in(client: TestClient, email: str = "user@example.com") -> str:
    response = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(client.cookies["lms_session"])


def test_each_backend_gets_its_reader(app: Starlette, client: TestClient, db_backend: str) -> None:
    expected = {"sqlite": SQLiteLoopReader, "postgresql": PostgresLoopReader}.get(db_backend)
    reader = app.state.session_reader
    if expected is None:  # MariaDB: the thread path
        assert reader is None
    else:
        assert isinstance(reader, expected)


def test_an_in_memory_sqlite_database_gets_no_reader() -> None:
    engine = create_db_engine("sqlite://")
    try:
        assert loop_reader_for(engine) is None
    finally:
        engine.dispose()


def test_the_reader_returns_what_sqlalchemy_returns(
    client: TestClient, make_user: UserFactory, engine: Engine
) -> None:
    make_user(roles=["admin", "moderator"])
    token = sign_in(client)
    parameters = lookup_parameters(token, utcnow())
    assert parameters is not None
    with engine.connect() as connection:
        expected = sorted(tuple(row) for row in connection.execute(LOOKUP, parameters))
    reader = loop_reader_for(engine)
    if reader is None:
        pytest.skip("no loop reader on this backend")

    async def fetch() -> Any:
        try:
            return await reader.fetch(LOOKUP, parameters)
        finally:
            await reader.close()

    rows = asyncio.run(fetch())

    assert rows is not None
    assert sorted(rows) == expected
    assert len(rows) == 2  # one per stored role
    assert rows[0][1].tzinfo == UTC  # last_seen_at, aware as UTCDateTime makes it


def test_requests_read_through_the_reader_and_logout_counts_at_once(
    app: Starlette,
    client: TestClient,
    make_user: UserFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reader = app.state.session_reader
    if reader is None:
        pytest.skip("no loop reader on this backend")
    calls: list[object] = []
    fetch = reader.fetch

    async def counting_fetch(*args: Any) -> Any:
        calls.append(args)
        return await fetch(*args)

    monkeypatch.setattr(reader, "fetch", counting_fetch)
    make_user()
    token = sign_in(client)

    assert client.get("/api/me").status_code == 200
    assert client.get("/api/me").status_code == 200
    assert len(calls) == 2
    assert client.post("/api/auth/logout", json={}).status_code == 204
    # A browser drops the cookie; a script replaying it must be refused at once.
    assert client.get("/api/me", headers={"cookie": f"lms_session={token}"}).status_code == 401
    assert len(calls) == 3


def test_a_reader_that_cannot_answer_falls_back_to_a_database_thread(
    app: Starlette,
    client: TestClient,
    make_user: UserFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reader = app.state.session_reader
    if reader is None:
        pytest.skip("no loop reader on this backend")

    async def cannot_answer(*args: Any) -> None:
        return None

    monkeypatch.setattr(reader, "fetch", cannot_answer)
    make_user(roles=["admin"])
    token = sign_in(client)

    me = client.get("/api/me")

    assert me.status_code == 200
    assert me.json()["roles"] == ["admin", "student"]
    client.post("/api/auth/logout", json={})
    assert client.get("/api/me", headers={"cookie": f"lms_session={token}"}).status_code == 401


def test_the_reader_path_still_extends_the_session(
    app: Starlette, client: TestClient, make_user: UserFactory, engine: Engine
) -> None:
    if app.state.session_reader is None:
        pytest.skip("no loop reader on this backend")
    make_user()
    sign_in(client)
    sessions = METADATA.tables["user_sessions"]
    with engine.begin() as connection:
        connection.execute(
            sessions.update().values(
                last_seen_at=utcnow() - timedelta(minutes=10),
                expires_at=utcnow() + timedelta(minutes=1),
            )
        )

    touched = client.get("/api/me")

    assert touched.status_code == 200
    assert "Max-Age=" in touched.headers["set-cookie"]
    with engine.connect() as connection:
        expires_at = connection.execute(sa.select(sessions.c.expires_at)).scalar_one()
    assert expires_at > utcnow() + timedelta(days=13)


def test_a_locked_sqlite_database_never_blocks_the_loop(databases: Databases) -> None:
    with databases.scratch("sqlite", "locked") as url:
        engine = create_db_engine(url)
        METADATA.create_all(engine)
        engine.dispose()  # no pooled connection may hold the file
        path = sa.make_url(url).database
        assert path
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("DELETE FROM user_sessions")  # takes the exclusive lock
        reader = loop_reader_for(engine)
        assert isinstance(reader, SQLiteLoopReader)
        parameters = {"token_hash": "0" * 64, "now": utcnow()}
        try:
            started = time.monotonic()
            locked = asyncio.run(reader.fetch(LOOKUP, parameters))
            waited = time.monotonic() - started
            holder.execute("COMMIT")
            holder.close()
            free = asyncio.run(reader.fetch(LOOKUP, parameters))
        finally:
            asyncio.run(reader.close())
            engine.dispose()

    assert locked is None  # the caller takes the thread path, which may wait
    assert waited < 1.0  # the busy timeout (15 s) is the thread path's, not the loop's
    assert free == []


def test_the_sqlite_reader_cannot_write(databases: Databases) -> None:
    with databases.scratch("sqlite", "readonly") as url:
        engine = create_db_engine(url)
        METADATA.create_all(engine)
        reader = loop_reader_for(engine)
        assert isinstance(reader, SQLiteLoopReader)
        try:
            connection = reader._connect()
            with pytest.raises(sqlite3.OperationalError, match="readonly"):
                connection.execute("DELETE FROM user_sessions")
            connection.close()
        finally:
            engine.dispose()


def test_a_lost_postgresql_connection_is_replaced(
    app: Starlette,
    client: TestClient,
    make_user: UserFactory,
    engine: Engine,
    db_backend: str,
) -> None:
    if db_backend != "postgresql":
        pytest.skip("PostgreSQL's connections")
    make_user()
    sign_in(client)
    assert client.get("/api/me").status_code == 200
    reader: PostgresLoopReader = app.state.session_reader
    pids = [connection.get_server_pid() for connection in reader._idle]
    assert pids
    with engine.connect() as connection:  # as a database restart would
        for pid in pids:
            connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    # The reader finds the connection closed (or fails on it and the thread path answers),
    # then opens a new one.
    assert client.get("/api/me").status_code == 200
    assert client.get("/api/me").status_code == 200
    assert [connection.get_server_pid() for connection in reader._idle] != pids


def test_a_postgresql_reader_that_cannot_connect_steps_aside(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """No server needed: the connect fails, the reader answers None (the thread path takes
    over) and does not try again before RECONNECT_DELAY, so requests do not each wait."""
    engine = sa.create_engine("postgresql+psycopg://lms:secret@127.0.0.1:1/lms")
    reader = loop_reader_for(engine)
    assert isinstance(reader, PostgresLoopReader)
    assert reader.dsn == "postgresql://lms:secret@127.0.0.1:1/lms"
    attempts: list[None] = []

    async def refused() -> None:
        attempts.append(None)
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(reader, "_connect", refused)
    parameters = {"token_hash": "0" * 64, "now": utcnow()}

    async def twice() -> list[Any]:
        return [await reader.fetch(LOOKUP, parameters), await reader.fetch(LOOKUP, parameters)]

    assert asyncio.run(twice()) == [None, None]
    assert len(attempts) == 1
    assert "cannot connect" in caplog.text
    reader._retry_at = time.monotonic()  # the delay is over
    asyncio.run(reader.fetch(LOOKUP, parameters))
    assert len(attempts) == 2


class FailingConnection:
    """Stands for an asyncpg connection whose query fails (a server going away)."""

    terminated = False

    def is_closed(self) -> bool:
        return False

    async def fetch(self, *args: Any) -> list[Any]:
        raise ConnectionResetError("connection reset by peer")

    def terminate(self) -> None:
        self.terminated = True


def test_a_failed_postgresql_read_drops_its_connection() -> None:
    engine = sa.create_engine("postgresql+psycopg://lms@127.0.0.1:1/lms")
    reader = loop_reader_for(engine)
    assert isinstance(reader, PostgresLoopReader)
    broken = FailingConnection()
    reader._idle.append(broken)

    answer = asyncio.run(reader.fetch(LOOKUP, {"token_hash": "0" * 64, "now": utcnow()}))

    assert answer is None  # the thread path answers this request
    assert broken.terminated
    assert reader._idle == []

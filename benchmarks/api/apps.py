"""The baseline server: a bare Starlette app with one JSON route, nothing else.

Served by uvicorn as ``benchmarks.api.apps:bare_app`` (or ``bare_async_app``; with
``--factory``), with exactly the flags of the API server. Its JSON body is the one
``GET /api/me`` returned for the benchmark user (read from the file named by
``BENCH_BARE_PAYLOAD``), so both sides serialise and send the same document; without the
variable it answers a look-alike of the same shape.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

#: A stand-in of the same shape as ``UserView`` when no payload file is given.
DEFAULT_PAYLOAD: dict[str, Any] = {
    "id": 1,
    "email": "bench-0000000000@example.com",
    "name": "Benchmark User",
    "language": "en",
    "roles": ["student"],
    "verified": True,
    "pending_email": None,
    "instructor_slug": None,
    "created_at": "2025-01-01T00:00:00.000000Z",
}


def _payload() -> dict[str, Any]:
    path = os.environ.get("BENCH_BARE_PAYLOAD")
    if path:
        data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
        return data
    return dict(DEFAULT_PAYLOAD)


def bare_app() -> Starlette:
    """The issue's baseline, literally: ``Route('/bare', lambda r: JSONResponse({...}))``.

    A plain (non-async) endpoint, so Starlette runs it in its thread pool: one thread hop
    per request, as ``GET /api/me`` makes one for its database lookup.
    """
    payload = _payload()
    return Starlette(routes=[Route("/bare", lambda r: JSONResponse(dict(payload)))])


def bare_async_app() -> Starlette:
    """A stricter baseline (``--bare async``): an ``async def`` endpoint, no thread hop."""
    payload = _payload()

    async def bare(request: Request) -> JSONResponse:
        return JSONResponse(dict(payload))

    return Starlette(routes=[Route("/bare", bare)])


def bare_insert_app() -> Starlette:
    """The "complete" scenario's baseline: ``POST /bare-insert`` does one INSERT (and its
    commit) on the API's own database, through the project's engine factory, in Starlette's
    thread pool, and answers the JSON body the API's complete endpoint returned."""
    import sqlalchemy as sa

    from dynamic_api.db import create_db_engine
    from site_builder.settings import Settings

    payload = _payload()
    engine = create_db_engine(Settings().effective_database_url())
    metadata = sa.MetaData()
    table = sa.Table(
        "bench_inserts",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("lesson", sa.String(100), nullable=False),
    )
    metadata.create_all(engine)

    def insert(request: Request) -> JSONResponse:
        with engine.begin() as connection:
            connection.execute(table.insert().values(user_id=1, lesson="welcome"))
        return JSONResponse(dict(payload))

    return Starlette(routes=[Route("/bare-insert", insert, methods=["POST", "DELETE"])])

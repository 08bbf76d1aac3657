"""Service endpoints: health for monitors and load balancers, the OpenAPI document for clients.

Health runs every check in :data:`HEALTH_CHECKS` and reports each one (the private bundle,
the database); a later area adds its own by appending ``(name, check)`` to that list.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Literal

import anyio
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dynamic_api.__version__ import __version__
from dynamic_api.openapi import build_openapi

logger = logging.getLogger(__name__)

#: A check that takes longer than this is reported as failed: a monitor polling health must
#: get an answer even while a dependency hangs.
CHECK_TIMEOUT_SECONDS = 3.0


class CheckResult(BaseModel):
    """The outcome of one health check."""

    ok: bool
    detail: str = Field(default="", description="A short human explanation; never a secret.")


class CatalogInfo(BaseModel):
    """The catalog as this API process sees it: the version `lms publish` sent last."""

    available: bool = Field(description="Whether a catalog version has been published.")
    version: str | None = Field(default=None, description="The content hash of the version.")
    published_at: datetime | None = Field(
        default=None, description="When that version was published (UTC)."
    )


class Health(BaseModel):
    """The body of ``GET /api/health``."""

    status: Literal["ok", "failing"] = Field(description="`ok` when every check passes.")
    version: str = Field(description="The version of the running software.")
    catalog: CatalogInfo
    checks: dict[str, CheckResult] = Field(description="Each check by name.")


HealthCheck = Callable[[Request], Awaitable[CheckResult]]


async def catalog_info(request: Request) -> CatalogInfo:
    """The current published catalog version (the newest row of ``catalog_versions``), read
    once per request: the catalog check and the health body both use it."""
    known: CatalogInfo | None = getattr(request.state, "catalog_info", None)
    if known is not None:
        return known
    from dynamic_api.db import run_in_session
    from dynamic_api.models import CatalogVersion

    def load(session: Session) -> CatalogInfo:
        row = session.exec(
            select(CatalogVersion).order_by(col(CatalogVersion.id).desc()).limit(1)
        ).first()
        if row is None:
            return CatalogInfo(available=False)
        return CatalogInfo(available=True, version=row.version, published_at=row.published_at)

    request.state.catalog_info = info = await run_in_session(request, load)
    return info


async def check_catalog(request: Request) -> CheckResult:
    """Courses, gated lessons and answer keys come from the published catalog: without one,
    the API knows no course."""
    info = await catalog_info(request)
    if info.available:
        return CheckResult(ok=True, detail=f"Catalog version {info.version} is published.")
    return CheckResult(ok=False, detail="No catalog published yet: run `lms publish`.")


async def check_database(request: Request) -> CheckResult:
    """The database answers, and its schema is at the revision this code expects."""
    from dynamic_api.db import ping, request_engine
    from dynamic_api.migrate import current_revision, head_revision

    engine = request_engine(request)

    def probe() -> str | None:
        ping(engine)
        return current_revision(engine)

    current = await run_in_threadpool(probe)
    expected = await run_in_threadpool(head_revision)
    if current != expected:
        return CheckResult(
            ok=False,
            detail=f"Schema at revision {current or 'none'}, code expects {expected}: "
            "run `lms db upgrade`.",
        )
    return CheckResult(ok=True, detail=f"Reachable; schema at revision {current}.")


#: (name, check) pairs, run in order by ``GET /api/health``.
HEALTH_CHECKS: list[tuple[str, HealthCheck]] = [
    ("catalog", check_catalog),
    ("database", check_database),
]


async def _run_check(name: str, check: HealthCheck, request: Request) -> CheckResult:
    """One check, bounded in time; its failure is reported, not raised."""
    try:
        with anyio.fail_after(CHECK_TIMEOUT_SECONDS):
            return await check(request)
    except TimeoutError:
        logger.warning("Health check %s timed out after %ss", name, CHECK_TIMEOUT_SECONDS)
        return CheckResult(ok=False, detail=f"Timed out after {CHECK_TIMEOUT_SECONDS:g} s.")
    except Exception as exc:
        # The exception text may hold a host name or a password in a URL: log it, don't show it.
        logger.exception("Health check %s failed", name)
        return CheckResult(ok=False, detail=f"Failed with {type(exc).__name__}.")


async def health(request: Request) -> Response:
    """Liveness and dependency checks, for monitors, load balancers and `lms serve`.

    ---
    summary: Service health
    description: >-
      Runs every health check and reports each one. Answers 200 when all pass and 503 when
      any fails, so a load balancer can take a failing process out of rotation.
    operationId: getHealth
    tags: [service]
    responses:
      "200":
        description: Every check passes.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Health"}
      "503":
        description: At least one check fails; `checks` says which.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Health"}
    """
    checks = {name: await _run_check(name, check, request) for name, check in HEALTH_CHECKS}
    healthy = all(result.ok for result in checks.values())
    try:
        catalog = (
            await catalog_info(request) if checks["database"].ok else CatalogInfo(available=False)
        )
    except Exception:  # reported by the checks above; the body stays well-formed
        catalog = CatalogInfo(available=False)
    body = Health(
        status="ok" if healthy else "failing",
        version=__version__,
        catalog=catalog,
        checks=checks,
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if healthy else 503)


async def openapi(request: Request) -> Response:
    """The OpenAPI 3.1 document of this API, generated from the routes' docstrings.

    ---
    summary: OpenAPI document
    description: This document. Paths and meanings are stable; payloads may grow fields.
    operationId: getOpenApi
    tags: [service]
    responses:
      "200":
        description: The OpenAPI 3.1 document, as JSON.
        content:
          application/json:
            schema: {type: object}
    """
    # Built once per app: the routes do not change while it runs.
    document: dict[str, Any] | None = getattr(request.app.state, "openapi_document", None)
    if document is None:
        document = build_openapi(request.app.routes, request.app.state.schema_models)
        request.app.state.openapi_document = document
    return JSONResponse(document)


routes: list[BaseRoute] = [
    Route("/api/health", health, methods=["GET"], name="health"),
    Route("/api/openapi.json", openapi, methods=["GET"], name="openapi"),
]

schema_models: list[type[BaseModel]] = [Health]

"""Publishing over HTTPS: CI uploads a build's private bundle with the deploy token.

``POST /api/admin/catalog`` takes the bundle as ``application/gzip`` (a ``.tar.gz`` made by
``lms publish --to URL``) with ``Authorization: Bearer $LMS_DEPLOY_TOKEN``. The token, not a
session cookie, authorises it: no browser can be tricked into sending it, and CI needs no user
account. Admins list the published versions with ``GET /api/admin/catalog``.
"""

from __future__ import annotations

import hmac
import logging
from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dynamic_api.auth import requires
from dynamic_api.db import run_in_session
from dynamic_api.errors import ApiError, read_body
from dynamic_api.learning.catalog import request_catalog
from dynamic_api.learning.publish import BundleError, PublishResult, publish_files, unpack
from dynamic_api.models import CatalogVersion, Role
from site_builder.settings import Settings

logger = logging.getLogger(__name__)


class PublishedVersion(BaseModel):
    id: int
    version: str
    published_at: datetime
    published_by: str
    file_count: int
    total_bytes: int
    current: bool


class PublishAnswer(BaseModel):
    version_id: int
    version: str
    created: bool
    files: int
    new_bytes: int
    moved_records: int


class VersionList(BaseModel):
    items: list[PublishedVersion]


def _check_deploy_token(request: Request, settings: Settings) -> None:
    expected = settings.deploy_token.get_secret_value() if settings.deploy_token else ""
    if not expected:
        raise ApiError(
            403, "publishing_disabled", "Remote publishing is off: set LMS_DEPLOY_TOKEN on the API."
        )
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip(), expected):
        raise ApiError(401, "invalid_deploy_token", "The deploy token is missing or wrong.")


async def publish(request: Request) -> Response:
    """Publish a build's private bundle as the new catalog version.

    ---
    summary: Publish the catalog
    description: >-
      Body: the private bundle of `lms build` (`manifest.json`, `lessons/…`, `media/…`) as a
      `.tar.gz`, with `Content-Type: application/gzip` and `Authorization: Bearer <deploy
      token>`. Stored as a new version that every API process switches to; the same content
      again is a no-op (`created: false`). Declared lesson renames carry progress over.
    operationId: publishCatalog
    tags: [admin]
    security: [{deployToken: []}]
    requestBody:
      required: true
      content:
        application/gzip:
          schema: {type: string, format: binary}
    responses:
      "200":
        description: The version (already current).
        content:
          application/json:
            schema: {$ref: "#/components/schemas/PublishAnswer"}
      "201":
        description: Published.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/PublishAnswer"}
      "413": {$ref: "#/components/responses/PayloadTooLarge"}
      "415": {$ref: "#/components/responses/UnsupportedMediaType"}
      "422": {$ref: "#/components/responses/InvalidFields"}
    """
    settings: Settings = request.app.state.settings
    _check_deploy_token(request, settings)
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type not in {"application/gzip", "application/x-gzip"}:
        raise ApiError(
            415, "unsupported_media_type", "Send the bundle as a .tar.gz (application/gzip)."
        )
    max_bytes = settings.publish_max_mb * 1024 * 1024
    archive = await read_body(request, max_bytes=max_bytes)
    try:
        files = unpack(archive, max_bytes)
    except BundleError as exc:
        raise ApiError(422, "invalid_bundle", str(exc)) from exc

    def store(session: Session) -> PublishResult:
        try:
            return publish_files(session, files, published_by="deploy token")
        except BundleError as exc:
            raise ApiError(422, "invalid_bundle", str(exc)) from exc

    result = await run_in_session(request, store)
    catalog = request_catalog(request)
    catalog.forget()
    body = PublishAnswer(**result.__dict__)
    return JSONResponse(body.model_dump(mode="json"), status_code=201 if result.created else 200)


@requires(Role.ADMIN)
async def list_versions(request: Request) -> Response:
    """The published catalog versions, newest first.

    ---
    summary: List catalog versions
    description: Admins only. The newest is the current one.
    operationId: listCatalogVersions
    tags: [admin]
    security: [{session: []}]
    responses:
      "200":
        description: The versions (at most 100).
        content:
          application/json:
            schema: {$ref: "#/components/schemas/VersionList"}
    """

    def load(session: Session) -> VersionList:
        rows = session.exec(
            select(CatalogVersion).order_by(col(CatalogVersion.id).desc()).limit(100)
        ).all()
        return VersionList(
            items=[
                PublishedVersion(
                    id=row.id or 0,
                    version=row.version,
                    published_at=row.published_at,
                    published_by=row.published_by,
                    file_count=row.file_count,
                    total_bytes=row.total_bytes,
                    current=index == 0,
                )
                for index, row in enumerate(rows)
            ]
        )

    body = await run_in_session(request, load)
    return JSONResponse(body.model_dump(mode="json"))


routes: list[BaseRoute] = [
    Route("/api/admin/catalog", publish, methods=["POST"], name="publish_catalog"),
    Route("/api/admin/catalog", list_versions, methods=["GET"], name="list_catalog_versions"),
]

schema_models: list[type[BaseModel]] = [PublishAnswer, VersionList]

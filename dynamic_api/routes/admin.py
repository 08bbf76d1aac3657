"""Administration of users and roles: admins change, moderators look.

| endpoint | admin | moderator | others |
| --- | --- | --- | --- |
| ``GET /api/admin/users`` | yes | no | 401 / 403 |
| ``GET /api/admin/users/{id}`` | yes | yes (read only) | 401 / 403 |
| ``PATCH /api/admin/users/{id}`` | yes | no | 401 / 403 |
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dynamic_api import accounts
from dynamic_api.auth import requires, roles_of, signed_in_user
from dynamic_api.db import run_in_session
from dynamic_api.errors import ApiError, read_json, read_path_id, read_query
from dynamic_api.fields import Slug
from dynamic_api.instructors import courses_taught_by, is_known_instructor
from dynamic_api.learning.catalog import Catalog, request_catalog
from dynamic_api.models import Role, User

logger = logging.getLogger(__name__)


def _no_control_characters(value: str) -> str:
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise ValueError("Remove control characters from the search.")
    return value.strip()


class UserListQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    q: Annotated[str, AfterValidator(_no_control_characters)] = Field(
        "", max_length=200, description="Text to find in names and email addresses."
    )
    role: Role | None = Field(None, description="Only users with this role.")
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(20, ge=1, le=100)


class AdminUser(BaseModel):
    """A user as administrators see them."""

    id: int
    email: str
    name: str
    language: str
    roles: list[Role]
    verified: bool
    active: bool
    instructor_slug: str | None
    pending_email: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, user: User, roles: frozenset[str]) -> AdminUser:
        assert user.id is not None
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            language=user.language,
            roles=sorted(Role(role) for role in roles),
            verified=user.verified,
            active=user.is_active,
            instructor_slug=user.instructor_slug,
            pending_email=user.pending_email,
            created_at=user.created_at,
            updated_at=user.updated_at,
        )


class AdminUserDetail(AdminUser):
    """One user, with the courses they teach as an instructor."""

    instructor_courses: list[str] = Field(
        description="Slugs of the courses whose content names this instructor."
    )


class UserList(BaseModel):
    items: list[AdminUser]
    total: int = Field(description="How many users match, over all pages.")
    page: int
    per_page: int


class UserUpdate(BaseModel):
    """What an admin may change; send only the fields to change."""

    model_config = ConfigDict(extra="forbid")

    roles: list[Role] | None = Field(
        None,
        max_length=len(Role),
        description="The complete set of roles (`student` is implied). The last active "
        "admin keeps the admin role.",
    )
    instructor_slug: Slug | None = Field(
        None, description="Link to content/instructors/<slug>.md; null to unlink."
    )
    active: StrictBool | None = Field(
        None, description="false disables the account and ends its sessions."
    )


def _detail(user: User, roles: frozenset[str], courses: list[str]) -> JSONResponse:
    body = AdminUserDetail(**AdminUser.of(user, roles).model_dump(), instructor_courses=courses)
    return JSONResponse(body.model_dump(mode="json"))


def _catalog(request: Request, session: Session) -> Catalog | None:
    return request_catalog(request).current(session)


def _user_id(request: Request) -> int:
    return read_path_id(request, "user_id", "There is no user with this id.")


@requires(Role.ADMIN)
async def list_users(request: Request) -> Response:
    """Users, newest first, with search and a role filter.

    ---
    summary: List users
    description: Admins only. Deleted accounts are not listed.
    operationId: adminListUsers
    tags: [admin]
    security: [{session: []}]
    parameters:
      - {name: q, in: query, schema: {type: string, maxLength: 200}, description: Search.}
      - name: role
        in: query
        schema: {type: string, enum: [admin, instructor, moderator, student]}
      - {name: page, in: query, schema: {type: integer, minimum: 1, default: 1}}
      - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 100, default: 20}}
    responses:
      "200":
        description: One page of users.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/UserList"}
      "422": {$ref: "#/components/responses/InvalidFields"}
    """
    query = read_query(request, UserListQuery)
    page = await run_in_session(
        request,
        accounts.list_users,
        query=query.q,
        role=query.role.value if query.role else None,
        page=query.page,
        per_page=query.per_page,
    )
    body = UserList(
        items=[AdminUser.of(user, roles) for user, roles in page.users],
        total=page.total,
        page=query.page,
        per_page=query.per_page,
    )
    return JSONResponse(body.model_dump(mode="json"))


@requires(Role.ADMIN, Role.MODERATOR)
async def get_user(request: Request) -> Response:
    """One user.

    ---
    summary: Get a user
    description: Admins and moderators.
    operationId: adminGetUser
    tags: [admin]
    security: [{session: []}]
    parameters:
      - {name: user_id, in: path, required: true, schema: {type: integer}}
    responses:
      "200":
        description: The user.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/AdminUserDetail"}
    """
    user_id = _user_id(request)

    def load(session: Session) -> tuple[User, frozenset[str], list[str]]:
        user = accounts.get_user(session, user_id)
        taught = courses_taught_by(_catalog(request, session), user.instructor_slug)
        return user, roles_of(session, user_id), taught

    return _detail(*await run_in_session(request, load))


@requires(Role.ADMIN)
async def update_user(request: Request) -> Response:
    """Change a user's roles, instructor link or whether the account is active.

    ---
    summary: Update a user
    description: >-
      Admins only. Refuses (409 `last_admin`) to take the admin role from, or disable, the
      last active admin, and (409 `cannot_disable_self`) to disable your own account.
      Disabling ends the user's sessions.
    operationId: adminUpdateUser
    tags: [admin]
    security: [{session: []}]
    parameters:
      - {name: user_id, in: path, required: true, schema: {type: integer}}
    requestBody:
      required: true
      content:
        application/json:
          schema: {$ref: "#/components/schemas/UserUpdate"}
    responses:
      "200":
        description: The updated user.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/AdminUserDetail"}
      "409":
        description: "`last_admin` or `cannot_disable_self`."
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ErrorResponse"}
    """
    actor = await signed_in_user(request)
    user_id = _user_id(request)
    body = await read_json(request, UserUpdate)
    given = body.model_fields_set

    def update(session: Session) -> tuple[User, frozenset[str], list[str]]:
        catalog = _catalog(request, session)
        if body.instructor_slug and not is_known_instructor(catalog, body.instructor_slug):
            message = "No instructor has this slug in the published content."
            raise ApiError(422, "invalid_fields", message, {"instructor_slug": message})
        user = accounts.update_user(
            session,
            actor.id,
            user_id,
            roles=[role.value for role in body.roles] if body.roles is not None else None,
            instructor_slug=body.instructor_slug,
            set_instructor_slug="instructor_slug" in given,
            active=body.active,
        )
        return user, roles_of(session, user_id), courses_taught_by(catalog, user.instructor_slug)

    user, roles, taught = await run_in_session(request, update)
    logger.info("User %s updated by admin %s: %s", user_id, actor.id, sorted(given))
    return _detail(user, roles, taught)


routes: list[BaseRoute] = [
    Route("/api/admin/users", list_users, methods=["GET"], name="admin_list_users"),
    Route("/api/admin/users/{user_id:int}", get_user, methods=["GET"], name="admin_get_user"),
    Route(
        "/api/admin/users/{user_id:int}", update_user, methods=["PATCH"], name="admin_update_user"
    ),
]

schema_models: list[type[BaseModel]] = [UserList, AdminUserDetail, UserUpdate]

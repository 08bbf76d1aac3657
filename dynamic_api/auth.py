"""Who is calling: the session cookie, the signed-in user, and what a route requires.

One way to declare what an endpoint needs::

    @requires()                      # any signed-in user (everyone is a student)
    @requires(Role.ADMIN)            # admins only
    @requires(Role.ADMIN, Role.MODERATOR)   # either role

``requires`` answers 401 ``not_authenticated`` without a valid session and 403 ``forbidden``
without one of the roles. The user is loaded from the cookie at most once per request, on
first use (``await current_user(request)``), and kept on ``request.state.user``; endpoints
that never ask (health, OpenAPI) cost no database query.

:class:`SessionCookieMiddleware` refreshes the cookie's ``Max-Age`` when a lookup extended the
session (sliding expiry), so browser and server agree on when it ends.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from http.cookies import SimpleCookie

from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dynamic_api.db import run_in_connection, utcnow
from dynamic_api.errors import ApiError
from dynamic_api.loop_reads import LoopReader
from dynamic_api.models import Role, User, UserRole
from dynamic_api.sessions import (
    COOKIE_NAME,
    LOOKUP,
    FoundSession,
    SessionPolicy,
    find_session,
    found_session,
    lookup_parameters,
    touch_session,
)
from site_builder.settings import Settings

logger = logging.getLogger(__name__)

Endpoint = Callable[[Request], Awaitable[Response]]

_SCOPE_KEY = "lms.auth"


@dataclass(frozen=True)
class CurrentUser:
    """The signed-in user of a request: a snapshot, detached from any database session."""

    id: int
    email: str
    name: str
    language: str
    roles: frozenset[str]
    verified: bool
    instructor_slug: str | None
    pending_email: str | None
    created_at: datetime
    session_id: int | None = None

    def has_role(self, *roles: str) -> bool:
        return any(str(role) in self.roles for role in roles)


def roles_of(session: Session, user_id: int) -> frozenset[str]:
    """The user's roles, ``student`` included (implied for everyone)."""
    stored = session.exec(select(UserRole.role).where(col(UserRole.user_id) == user_id)).all()
    return frozenset({Role.STUDENT.value, *stored})


def snapshot(user: User, roles: frozenset[str], session_id: int | None = None) -> CurrentUser:
    assert user.id is not None
    return CurrentUser(
        id=user.id,
        email=user.email,
        name=user.name,
        language=user.language,
        roles=roles,
        verified=user.verified,
        instructor_slug=user.instructor_slug,
        pending_email=user.pending_email,
        created_at=user.created_at,
        session_id=session_id,
    )


@dataclass
class _AuthState:
    """Per-request: the loaded user, and a ``Set-Cookie`` value still to send, if any."""

    loaded: bool = False
    user: CurrentUser | None = None
    pending_cookie: str | None = None


def _state(conn: HTTPConnection) -> _AuthState:
    state = conn.scope.get(_SCOPE_KEY)
    if state is None:  # an app built without the middleware (a unit test)
        state = conn.scope[_SCOPE_KEY] = _AuthState()
    return state  # type: ignore[no-any-return]


def session_policy(settings: Settings) -> SessionPolicy:
    return _policy(settings.session_lifetime_days, settings.session_touch_minutes)


@functools.lru_cache(maxsize=16)
def _policy(lifetime_days: int, touch_minutes: int) -> SessionPolicy:
    """One :class:`SessionPolicy` per setting values, not one per signed-in request."""
    return SessionPolicy.from_minutes(lifetime_days, touch_minutes)


def _signed_in(found: FoundSession) -> CurrentUser:
    user = found.user
    return CurrentUser(
        id=user.user_id,
        email=user.email,
        name=user.name,
        language=user.language,
        roles=found.roles,
        verified=user.email_verified_at is not None,
        instructor_slug=user.instructor_slug,
        pending_email=user.pending_email,
        created_at=user.created_at,
        session_id=found.session_id,
    )


def load_user(
    db: Session | Connection, token: str, policy: SessionPolicy
) -> tuple[CurrentUser | None, bool]:
    """The user of ``token`` (one indexed query, see :func:`find_session`) and whether the
    session was just extended; ``(None, False)`` without a live session. In a database
    thread: the thread path of :func:`lookup_user`."""
    found = find_session(db, token, policy)
    if found is None:
        return None, False
    if found.touched:
        db.commit()  # the sliding extension (a Session inside session_scope commits anyway)
    return _signed_in(found), found.touched


async def lookup_user(
    request: Request, token: str, policy: SessionPolicy
) -> tuple[CurrentUser | None, bool]:
    """:func:`load_user` for this request, on the event loop when the backend allows it.

    With a loop reader (``app.state.session_reader``, see :mod:`dynamic_api.loop_reads`) the
    lookup costs no thread hop; the sliding extension, a write due at most once per touch
    interval, still goes to a database thread. When the reader cannot answer (SQLite busy,
    a PostgreSQL connection lost, MariaDB), the whole lookup runs in a database thread, as
    it always did. Either way the database is read on every request: no cache.
    """
    reader: LoopReader | None = getattr(request.app.state, "session_reader", None)
    if reader is not None:
        now = utcnow()
        parameters = lookup_parameters(token, now)
        if parameters is None:
            return None, False
        rows = await reader.fetch(LOOKUP, parameters)
        if rows is not None:
            found = found_session(rows, policy, now)
            if found is None:
                return None, False
            if found.touched:
                await run_in_connection(request, touch_session, found.session_id, policy, now)
            return _signed_in(found), found.touched
    return await run_in_connection(request, load_user, token, policy)


async def current_user(request: Request) -> CurrentUser | None:
    """The signed-in user, or ``None``; loaded from the cookie once per request.

    A lookup that extended the session resends the cookie (new ``Max-Age``); a cookie that
    names no live session is deleted, so the browser stops sending it.
    """
    state = _state(request)
    if state.loaded:
        return state.user
    state.loaded = True
    token = request.cookies.get(COOKIE_NAME, "")
    if token:
        policy = session_policy(request.app.state.settings)
        state.user, touched = await lookup_user(request, token, policy)
        if state.user is None:
            state.pending_cookie = session_cookie(request, None)
        elif touched:
            state.pending_cookie = session_cookie(request, token)
    request.state.user = state.user
    return state.user


def requires(*roles: Role | str) -> Callable[[Endpoint], Endpoint]:
    """Declare that an endpoint needs a signed-in user with one of ``roles`` (any if none)."""
    wanted = frozenset(str(role) for role in roles)
    unknown = wanted - {role.value for role in Role}
    if unknown:
        raise ValueError(f"unknown role(s): {sorted(unknown)}")

    def decorator(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            user = await current_user(request)
            if user is None:
                raise ApiError(401, "not_authenticated", "Sign in to do this.")
            if wanted and not user.has_role(*wanted):
                raise ApiError(403, "forbidden", "Your account is not allowed to do this.")
            return await endpoint(request)

        guarded.required_roles = wanted  # type: ignore[attr-defined]
        return guarded

    return decorator


async def signed_in_user(request: Request) -> CurrentUser:
    """The signed-in user, for endpoints already guarded by :func:`requires`."""
    user = await current_user(request)
    if user is None:  # pragma: no cover - requires() ran first
        raise ApiError(401, "not_authenticated", "Sign in to do this.")
    return user


# --- the cookie --------------------------------------------------------------------------


def cookie_is_secure(conn: HTTPConnection) -> bool:
    """``Secure`` always in production; elsewhere only over https, so that ``lms serve`` on
    http://127.0.0.1 works (a browser drops a Secure cookie set over plain http)."""
    settings: Settings = conn.app.state.settings
    return settings.env == "production" or conn.url.scheme in {"https", "wss"}


def session_cookie(conn: HTTPConnection, token: str | None) -> str:
    """The ``Set-Cookie`` value that stores ``token`` (or deletes the cookie for ``None``)."""
    settings: Settings = conn.app.state.settings
    cookie: SimpleCookie = SimpleCookie()
    cookie[COOKIE_NAME] = token or ""
    morsel = cookie[COOKIE_NAME]
    morsel["path"] = "/"
    morsel["httponly"] = True
    morsel["samesite"] = "Lax"
    if cookie_is_secure(conn):
        morsel["secure"] = True
    if token is None:
        morsel["max-age"] = 0
        morsel["expires"] = "Thu, 01 Jan 1970 00:00:00 GMT"
    else:
        morsel["max-age"] = settings.session_lifetime_days * 86400
    return morsel.OutputString()


def set_session_cookie(response: Response, request: Request, token: str | None) -> None:
    """Store ``token`` in the browser (``None``: delete the cookie) with this response."""
    response.headers.append("set-cookie", session_cookie(request, token))
    _state(request).pending_cookie = None  # this response decides the cookie


class SessionCookieMiddleware:
    """Creates the per-request auth state; sends the cookie :func:`current_user` asked for
    (after a sliding extension, or to delete a dead one) unless the endpoint set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope[_SCOPE_KEY] = _AuthState()

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and state.pending_cookie:
                headers = MutableHeaders(scope=message)
                already = any(
                    value.startswith(f"{COOKIE_NAME}=") for value in headers.getlist("set-cookie")
                )
                if not already:
                    headers.append("set-cookie", state.pending_cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)


# --- the client address ------------------------------------------------------------------


def client_ip(conn: HTTPConnection) -> str:
    """The caller's IP: the connecting address, or (behind ``LMS_TRUSTED_PROXIES`` proxies)
    the entry of ``X-Forwarded-For`` that the outermost trusted proxy added.

    Each proxy appends the address it received the request from, so with N trusted proxies
    the client is N entries from the right; entries further left are the client's own claims.
    """
    settings: Settings = conn.app.state.settings
    peer = conn.client.host if conn.client else ""
    proxies = settings.trusted_proxies
    if proxies:
        forwarded = [
            part.strip()
            for value in conn.headers.getlist("x-forwarded-for")
            for part in value.split(",")
            if part.strip()
        ]
        if forwarded:
            return forwarded[-min(proxies, len(forwarded))][:45]
    return peer[:45]

"""Sign-in sessions: create, look up (with sliding expiry), revoke. Plain functions on a DB session
(the lookup also takes a bare Core connection, its hot path).

The cookie holds 32 random bytes (URL-safe base64); the ``user_sessions`` table holds their
SHA-256. Looking a session up extends it, but writes only when the last extension is older
than ``LMS_SESSION_TOUCH_MINUTES``, so a busy page does not cost a write per request.

The lookup is one query (:data:`LOOKUP`) whose rows :func:`found_session` reads; it runs
either in a database thread (:func:`find_session`, which also writes the extension) or on
the event loop through a :class:`~dynamic_api.loop_reads.LoopReader` (then the caller writes
the rare extension with :func:`touch_session` in a thread; see ``dynamic_api/auth.py``).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col

from dynamic_api.db import utcnow
from dynamic_api.models import Role, User, UserRole, UserSession

#: The cookie's name; the front end never reads it (HttpOnly), browsers send it back.
COOKIE_NAME = "lms_session"

#: Longest token we look up; anything longer is not ours (and not worth hashing).
MAX_TOKEN_LENGTH = 128


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


@dataclass(frozen=True)
class SessionPolicy:
    """How long sessions live and how often their expiry is extended."""

    lifetime: timedelta
    touch_interval: timedelta

    @classmethod
    def from_minutes(cls, lifetime_days: int, touch_minutes: int) -> SessionPolicy:
        return cls(timedelta(days=lifetime_days), timedelta(minutes=touch_minutes))


def create_session(
    session: Session,
    user_id: int,
    policy: SessionPolicy,
    *,
    user_agent: str = "",
    ip: str = "",
) -> tuple[str, UserSession]:
    """A new session for ``user_id``; returns the cookie token (never stored) and the row."""
    token = new_token()
    now = utcnow()
    row = UserSession(
        user_id=user_id,
        token_hash=hash_token(token),
        created_at=now,
        last_seen_at=now,
        expires_at=now + policy.lifetime,
        user_agent=user_agent[:255],
        ip=ip[:45],
    )
    session.add(row)
    session.flush()
    return token, row


class LookupRow(NamedTuple):
    """One row of :data:`LOOKUP` (its columns, in order): the session, its user, one role."""

    id: int
    last_seen_at: datetime
    user_id: int
    email: str
    name: str
    language: str
    email_verified_at: datetime | None
    instructor_slug: str | None
    pending_email: str | None
    created_at: datetime
    role: str | None


@dataclass(frozen=True)
class FoundSession:
    """A live session and its user, as one lookup read them (plain values, no ORM objects)."""

    session_id: int
    #: The user's columns (``user_id``, ``email``, ``name``, ``language``,
    #: ``email_verified_at``, ``instructor_slug``, ``pending_email``, ``created_at``).
    user: LookupRow
    #: The stored roles plus ``student`` (implied for everyone).
    roles: frozenset[str]
    #: Whether the expiry was just extended (the cookie's Max-Age should be refreshed).
    touched: bool


_SESSIONS: sa.Table = UserSession.__table__  # type: ignore[attr-defined]
_USERS: sa.Table = User.__table__  # type: ignore[attr-defined]
_ROLES: sa.Table = UserRole.__table__  # type: ignore[attr-defined]

#: Session, user and roles in one query through the unique ``token_hash`` index (one row per
#: stored role, one with ``role`` NULL for a plain student). Built once: constructing an ORM
#: query per request cost more CPU than running it (see benchmarks/api/README.md).
LOOKUP = (
    sa.select(
        _SESSIONS.c.id,
        _SESSIONS.c.last_seen_at,
        _USERS.c.id.label("user_id"),
        _USERS.c.email,
        _USERS.c.name,
        _USERS.c.language,
        _USERS.c.email_verified_at,
        _USERS.c.instructor_slug,
        _USERS.c.pending_email,
        _USERS.c.created_at,
        _ROLES.c.role,
    )
    .select_from(
        _SESSIONS.join(_USERS, _USERS.c.id == _SESSIONS.c.user_id).outerjoin(
            _ROLES, _ROLES.c.user_id == _USERS.c.id
        )
    )
    .where(
        _SESSIONS.c.token_hash == sa.bindparam("token_hash"),
        _SESSIONS.c.revoked_at.is_(None),
        _SESSIONS.c.expires_at > sa.bindparam("now", type_=_SESSIONS.c.expires_at.type),
        _USERS.c.is_active.is_(True),
        _USERS.c.deleted_at.is_(None),
    )
)

#: The sliding extension, by primary key (only when the last one is older than the interval).
TOUCH = (
    sa.update(_SESSIONS)
    .where(_SESSIONS.c.id == sa.bindparam("session_id"))
    .values(
        last_seen_at=sa.bindparam("now", type_=_SESSIONS.c.last_seen_at.type),
        expires_at=sa.bindparam("expires_at", type_=_SESSIONS.c.expires_at.type),
    )
)


def found_session(
    rows: Iterable[tuple[object, ...]], policy: SessionPolicy, now: datetime
) -> FoundSession | None:
    """What the rows of :data:`LOOKUP` say: the live session, or ``None`` without rows.

    ``touched`` tells whether the expiry is due for its sliding extension (the last one is
    at least ``policy.touch_interval`` old); writing it is the caller's part.
    """
    found = [LookupRow._make(row) for row in rows]
    if not found:
        return None
    first = found[0]
    touched = now - first.last_seen_at >= policy.touch_interval
    roles = frozenset({Role.STUDENT.value, *(row.role for row in found if row.role)})
    return FoundSession(session_id=first.id, user=first, roles=roles, touched=touched)


def lookup_parameters(token: str, now: datetime) -> dict[str, object] | None:
    """The parameters of :data:`LOOKUP` for ``token``; ``None`` for a token that cannot be
    ours (empty or too long: not worth hashing, nor a query)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return {"token_hash": hash_token(token), "now": now}


def touch_session(
    connection: sa.Connection, session_id: int, policy: SessionPolicy, now: datetime
) -> None:
    """Write the sliding extension of ``session_id`` (and commit it)."""
    connection.execute(
        TOUCH, {"session_id": session_id, "now": now, "expires_at": now + policy.lifetime}
    )
    connection.commit()


def find_session(
    db: Session | sa.Connection, token: str, policy: SessionPolicy, now: datetime | None = None
) -> FoundSession | None:
    """The live session of ``token`` and its (active, not deleted) user, or ``None``.

    Reads the database on every call (no cache), so a revoked session, a disabled or deleted
    user or a changed role counts on the very next request, in every process. Writes only to
    extend the expiry, at most once per ``policy.touch_interval`` (not committed here).
    """
    now = now or utcnow()
    parameters = lookup_parameters(token, now)
    if parameters is None:
        return None
    connection = db.connection() if isinstance(db, Session) else db
    found = found_session(connection.execute(LOOKUP, parameters), policy, now)
    if found is not None and found.touched:
        connection.execute(
            TOUCH,
            {"session_id": found.session_id, "now": now, "expires_at": now + policy.lifetime},
        )
    return found


def revoke_token(session: Session, token: str) -> bool:
    """Revoke the session of ``token``; False when there was none to revoke."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return False
    result = session.execute(
        sa.update(UserSession)
        .where(
            col(UserSession.token_hash) == hash_token(token),
            col(UserSession.revoked_at).is_(None),
        )
        .values(revoked_at=utcnow())
    )
    return bool(getattr(result, "rowcount", 0))


def revoke_user_sessions(session: Session, user_id: int, except_id: int | None = None) -> int:
    """Revoke every live session of ``user_id`` (but ``except_id``); returns how many."""
    statement = sa.update(UserSession).where(
        col(UserSession.user_id) == user_id, col(UserSession.revoked_at).is_(None)
    )
    if except_id is not None:
        statement = statement.where(col(UserSession.id) != except_id)
    result = session.execute(statement.values(revoked_at=utcnow()))
    return int(getattr(result, "rowcount", 0))


def prune_sessions(session: Session, older_than: timedelta = timedelta(days=30)) -> int:
    """Delete sessions that expired or were revoked more than ``older_than`` ago."""
    cutoff = utcnow() - older_than
    result = session.execute(
        sa.delete(UserSession).where(
            sa.or_(
                col(UserSession.expires_at) < cutoff,
                col(UserSession.revoked_at) < cutoff,
            )
        )
    )
    return int(getattr(result, "rowcount", 0))

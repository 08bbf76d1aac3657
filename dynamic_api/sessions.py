"""Sign-in sessions: create, look up (with sliding expiry), revoke. Plain functions on a DB session.

The cookie holds 32 random bytes (URL-safe base64); the ``user_sessions`` table holds their
SHA-256. Looking a session up extends it, but writes only when the last extension is older
than ``LMS_SESSION_TOUCH_MINUTES``, so a busy page does not cost a write per request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from dynamic_api.db import utcnow
from dynamic_api.models import User, UserSession

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


@dataclass(frozen=True)
class FoundSession:
    row: UserSession
    user: User
    #: Whether the expiry was just extended (the cookie's Max-Age should be refreshed).
    touched: bool


def find_session(
    session: Session, token: str, policy: SessionPolicy, now: datetime | None = None
) -> FoundSession | None:
    """The live session of ``token`` and its (active, not deleted) user, or ``None``."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    now = now or utcnow()
    found = session.exec(
        select(UserSession, User)
        .join(User, col(User.id) == col(UserSession.user_id))
        .where(
            UserSession.token_hash == hash_token(token),
            col(UserSession.revoked_at).is_(None),
            UserSession.expires_at > now,
            col(User.is_active).is_(True),
            col(User.deleted_at).is_(None),
        )
    ).first()
    if found is None:
        return None
    row, user = found
    touched = now - row.last_seen_at >= policy.touch_interval
    if touched:
        row.last_seen_at = now
        row.expires_at = now + policy.lifetime
        session.add(row)
    return FoundSession(row=row, user=user, touched=touched)


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

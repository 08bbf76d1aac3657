"""Server-side sign-in sessions.

The cookie carries a random token; the table keeps only its SHA-256, so a leaked database
(or backup) cannot be replayed as anyone's cookie. A session is valid while it is not revoked
and ``expires_at`` is in the future; use extends ``expires_at`` (sliding expiry).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from dynamic_api.db import UTCDateTime, utcnow
from dynamic_api.models.base import TABLE_OPTIONS


class UserSession(SQLModel, table=True):
    __tablename__ = "user_sessions"
    __table_args__ = (TABLE_OPTIONS,)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    #: Hex SHA-256 of the cookie's token.
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    user_agent: str = Field(default="", max_length=255)
    ip: str = Field(default="", max_length=45)

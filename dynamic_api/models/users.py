"""Users and their roles.

Everyone signed in is a ``student``; that role is implied and never stored. ``user_roles``
holds the others (admin, instructor, moderator), one row per role. An instructor is linked to
the courses whose content names them through ``users.instructor_slug`` (the slug of
``content/instructors/<slug>.md``).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from dynamic_api.db import UTCDateTime, utcnow
from dynamic_api.models.base import TABLE_OPTIONS

#: RFC 5321 caps a path at 256 octets; 320 (64 + 1 + 255) is the classic upper bound.
EMAIL_LENGTH = 320


class Role(StrEnum):
    ADMIN = "admin"
    INSTRUCTOR = "instructor"
    MODERATOR = "moderator"
    STUDENT = "student"


ROLE_NAMES: tuple[str, ...] = tuple(role.value for role in Role)


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (TABLE_OPTIONS,)

    id: int | None = Field(default=None, primary_key=True)
    #: The address as the user typed it (for display and for sending).
    email: str = Field(max_length=EMAIL_LENGTH)
    #: Lowercased ``email``: the case-insensitive unique key.
    email_normalized: str = Field(max_length=EMAIL_LENGTH, unique=True)
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    language: str = Field(default="en", max_length=8)
    email_verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: A new address waiting for its confirmation link (``POST /api/me/email``).
    pending_email: str | None = Field(default=None, max_length=EMAIL_LENGTH)
    instructor_slug: str | None = Field(default=None, max_length=100, index=True)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    #: Set when the account was deleted: the row stays, anonymised, for later records
    #: (payments, certificates) that must keep pointing somewhere.
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def verified(self) -> bool:
        return self.email_verified_at is not None


class UserRole(SQLModel, table=True):
    __tablename__ = "user_roles"
    __table_args__ = (TABLE_OPTIONS,)

    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)
    role: str = Field(max_length=20, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

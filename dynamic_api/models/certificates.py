"""Certificates, master-class registrations and personal calendar feeds.

A certificate is issued once per student and course (or program): the unique key makes a
second issue impossible, even when two completions race. It keeps a *snapshot* (name, title,
instructors, date, hours) so later edits of the content or the account do not change it, and
the PDF rendered the first time it is asked for.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from dynamic_api.db import UTCDateTime, utcnow
from dynamic_api.models.base import TABLE_OPTIONS
from dynamic_api.models.catalog import BLOB_TYPE
from dynamic_api.models.learning import SLUG_LENGTH


class Certificate(SQLModel, table=True):
    __tablename__ = "certificates"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "kind", "subject"),
        #: The admin list of a course's (or program's) certificates.
        sa.Index("ix_certificates_kind_subject", "kind", "subject"),
        TABLE_OPTIONS,
    )

    id: int | None = Field(default=None, primary_key=True)
    #: The unguessable id of the public verification URL.
    public_id: str = Field(max_length=32, unique=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    kind: str = Field(max_length=10)  # course | program
    #: The course or program slug.
    subject: str = Field(max_length=SLUG_LENGTH)
    snapshot: dict[str, Any] = Field(sa_type=sa.JSON)
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_on: date | None = None
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_reason: str = Field(default="", max_length=500)
    revoked_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    #: The last time an admin undid a revocation (``revoked_*`` keep the revocation's record).
    reinstated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reinstated_reason: str = Field(default="", max_length=500)
    reinstated_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    #: Rendered on first download, then served as stored.
    pdf: bytes | None = Field(default=None, sa_type=BLOB_TYPE)
    pdf_rendered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MasterclassRegistration(SQLModel, table=True):
    __tablename__ = "masterclass_registrations"
    __table_args__ = (sa.UniqueConstraint("user_id", "masterclass"), TABLE_OPTIONS)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    masterclass: str = Field(max_length=SLUG_LENGTH, index=True)
    status: str = Field(default="active", max_length=10)  # active | cancelled
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    #: Where a paid registration came from (an order id).
    source: str = Field(default="", max_length=100)


class CalendarFeed(SQLModel, table=True):
    """The secret token of a user's personal calendar feed (``/api/calendar/{token}.ics``).

    Stored as is (unlike session tokens) so the dashboard can show the feed's address at
    any time, as calendar services do with their secret addresses: it only reads event
    times. Regenerating replaces it, so the old URL stops working at once.
    """

    __tablename__ = "calendar_feeds"
    __table_args__ = (TABLE_OPTIONS,)

    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)
    token: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

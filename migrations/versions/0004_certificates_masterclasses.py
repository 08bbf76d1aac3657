"""Certificates, master-class registrations, personal calendar feeds.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DATETIME = sa.DateTime(timezone=False).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
BLOB = sa.LargeBinary().with_variant(mysql.LONGBLOB(), "mysql", "mariadb")
TABLE_OPTIONS = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
    "mariadb_charset": "utf8mb4",
    "mariadb_collate": "utf8mb4_bin",
}


def _user_fk(table: str, column: str = "user_id", ondelete: str = "CASCADE") -> sa.Constraint:
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=f"fk_{table}_{column}_users", ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("subject", sa.String(100), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("issued_at", DATETIME, nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("revoked_at", DATETIME, nullable=True),
        sa.Column("revoked_reason", sa.String(500), nullable=False),
        sa.Column("revoked_by", sa.Integer(), nullable=True),
        sa.Column("pdf", BLOB, nullable=True),
        sa.Column("pdf_rendered_at", DATETIME, nullable=True),
        _user_fk("certificates"),
        _user_fk("certificates", "revoked_by", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_certificates"),
        sa.UniqueConstraint("public_id", name="uq_certificates_public_id"),
        sa.UniqueConstraint("user_id", "kind", "subject", name="uq_certificates_user_id"),
        **TABLE_OPTIONS,
    )
    op.create_index("ix_certificates_kind_subject", "certificates", ["kind", "subject"])
    op.create_table(
        "masterclass_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("masterclass", sa.String(100), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", DATETIME, nullable=False),
        sa.Column("updated_at", DATETIME, nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        _user_fk("masterclass_registrations"),
        sa.PrimaryKeyConstraint("id", name="pk_masterclass_registrations"),
        sa.UniqueConstraint("user_id", "masterclass", name="uq_masterclass_registrations_user_id"),
        **TABLE_OPTIONS,
    )
    op.create_index(
        "ix_masterclass_registrations_masterclass", "masterclass_registrations", ["masterclass"]
    )
    op.create_table(
        "calendar_feeds",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("created_at", DATETIME, nullable=False),
        _user_fk("calendar_feeds"),
        sa.PrimaryKeyConstraint("user_id", name="pk_calendar_feeds"),
        sa.UniqueConstraint("token", name="uq_calendar_feeds_token"),
        **TABLE_OPTIONS,
    )


def downgrade() -> None:
    for table in ("calendar_feeds", "masterclass_registrations", "certificates"):
        op.drop_table(table)

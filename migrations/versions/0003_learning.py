"""Learning: published catalog versions, enrollments, progress, attempts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
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
        "catalog_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("published_at", DATETIME, nullable=False),
        sa.Column("published_by", sa.String(200), nullable=False),
        sa.Column("file_count", sa.Integer(), nullable=False),
        sa.Column("total_bytes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_catalog_versions"),
        **TABLE_OPTIONS,
    )
    op.create_index("ix_catalog_versions_version", "catalog_versions", ["version"])
    op.create_table(
        "catalog_blobs",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("data", BLOB, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_catalog_blobs"),
        **TABLE_OPTIONS,
    )
    op.create_table(
        "catalog_files",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["catalog_versions.id"],
            name="fk_catalog_files_version_id_catalog_versions",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["catalog_blobs.sha256"], name="fk_catalog_files_sha256_catalog_blobs"
        ),
        sa.PrimaryKeyConstraint("version_id", "path", name="pk_catalog_files"),
        **TABLE_OPTIONS,
    )
    op.create_index("ix_catalog_files_sha256", "catalog_files", ["sha256"])
    op.create_table(
        "enrollments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course", sa.String(100), nullable=False),
        sa.Column("mode", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", DATETIME, nullable=False),
        sa.Column("updated_at", DATETIME, nullable=False),
        sa.Column("completed_at", DATETIME, nullable=True),
        sa.Column("last_lesson", sa.String(100), nullable=True),
        sa.Column("last_visited_at", DATETIME, nullable=True),
        sa.Column("source", sa.String(100), nullable=False),
        _user_fk("enrollments"),
        sa.PrimaryKeyConstraint("id", name="pk_enrollments"),
        sa.UniqueConstraint("user_id", "course", name="uq_enrollments_user_id"),
        **TABLE_OPTIONS,
    )
    op.create_index("ix_enrollments_course", "enrollments", ["course"])
    op.create_table(
        "lesson_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course", sa.String(100), nullable=False),
        sa.Column("lesson", sa.String(100), nullable=False),
        sa.Column("completed_at", DATETIME, nullable=True),
        sa.Column("position", sa.Numeric(10, 2), nullable=True),
        sa.Column("updated_at", DATETIME, nullable=False),
        _user_fk("lesson_progress"),
        sa.PrimaryKeyConstraint("id", name="pk_lesson_progress"),
        sa.UniqueConstraint("user_id", "course", "lesson", name="uq_lesson_progress_user_id"),
        **TABLE_OPTIONS,
    )
    op.create_table(
        "capacity_counters",
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("taken", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_capacity_counters"),
        **TABLE_OPTIONS,
    )
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course", sa.String(100), nullable=False),
        sa.Column("lesson", sa.String(100), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("catalog_version_id", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("started_at", DATETIME, nullable=False),
        sa.Column("deadline", DATETIME, nullable=True),
        sa.Column("submitted_at", DATETIME, nullable=True),
        sa.Column("graded_at", DATETIME, nullable=True),
        sa.Column("graded_by", sa.Integer(), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("score", sa.Numeric(5, 2), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        _user_fk("attempts"),
        _user_fk("attempts", "graded_by", "SET NULL"),
        sa.ForeignKeyConstraint(
            ["catalog_version_id"],
            ["catalog_versions.id"],
            name="fk_attempts_catalog_version_id_catalog_versions",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_attempts"),
        sa.UniqueConstraint("public_id", name="uq_attempts_public_id"),
        sa.UniqueConstraint("user_id", "course", "lesson", "number", name="uq_attempts_user_id"),
        **TABLE_OPTIONS,
    )
    op.create_table(
        "attempt_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course", sa.String(100), nullable=False),
        sa.Column("lesson", sa.String(100), nullable=False),
        sa.Column("reason", sa.String(2000), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("extra_attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", DATETIME, nullable=False),
        sa.Column("decided_at", DATETIME, nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(2000), nullable=False),
        _user_fk("attempt_requests"),
        _user_fk("attempt_requests", "decided_by", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_attempt_requests"),
        **TABLE_OPTIONS,
    )


def downgrade() -> None:
    for table in (
        "attempt_requests",
        "attempts",
        "capacity_counters",
        "lesson_progress",
        "enrollments",
        "catalog_files",
        "catalog_blobs",
        "catalog_versions",
    ):
        op.drop_table(table)

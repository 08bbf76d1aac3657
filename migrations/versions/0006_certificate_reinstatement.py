"""Certificates: who reinstated a revoked certificate, when and why.

Three nullable-or-defaulted columns added to ``certificates``; every existing row keeps its
data (``reinstated_reason`` starts as the empty string, as ``revoked_reason`` does). SQLite
rebuilds the table in batch mode, copying every row.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DATETIME = sa.DateTime(timezone=False).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
FK = "fk_certificates_reinstated_by_users"


def upgrade() -> None:
    with op.batch_alter_table("certificates") as batch:
        batch.add_column(sa.Column("reinstated_at", DATETIME, nullable=True))
        # A server default fills the existing rows; dropped below, as the model has none.
        batch.add_column(
            sa.Column("reinstated_reason", sa.String(500), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("reinstated_by", sa.Integer(), nullable=True))
        batch.create_foreign_key(FK, "users", ["reinstated_by"], ["id"], ondelete="SET NULL")
    with op.batch_alter_table("certificates") as batch:
        batch.alter_column(
            "reinstated_reason",
            existing_type=sa.String(500),
            existing_nullable=False,
            server_default=None,
        )


def downgrade() -> None:
    with op.batch_alter_table("certificates") as batch:
        batch.drop_constraint(FK, type_="foreignkey")
        batch.drop_column("reinstated_by")
        batch.drop_column("reinstated_reason")
        batch.drop_column("reinstated_at")

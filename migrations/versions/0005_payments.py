"""Payments: orders and their audit trail, coupons and redemptions, PayPal webhook events.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DATETIME = sa.DateTime(timezone=False).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
MONEY = sa.Numeric(12, 3)
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
        "coupons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("value", MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("course", sa.String(100), nullable=True),
        sa.Column("valid_from", DATETIME, nullable=True),
        sa.Column("valid_until", DATETIME, nullable=True),
        sa.Column("max_redemptions", sa.Integer(), nullable=True),
        sa.Column("per_user_limit", sa.Integer(), nullable=True),
        sa.Column("redeemed", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", DATETIME, nullable=False),
        _user_fk("coupons", "created_by", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_coupons"),
        sa.UniqueConstraint("code", name="uq_coupons_code"),
        **TABLE_OPTIONS,
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("item", sa.String(100), nullable=False),
        sa.Column("item_title", sa.String(300), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("list_amount", MONEY, nullable=False),
        sa.Column("discount", MONEY, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("coupon_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("paypal_order_id", sa.String(64), nullable=True),
        sa.Column("approve_url", sa.String(500), nullable=False),
        sa.Column("paypal_capture_id", sa.String(64), nullable=True),
        sa.Column("captured_amount", MONEY, nullable=True),
        sa.Column("captured_currency", sa.String(3), nullable=True),
        sa.Column("refunded_amount", MONEY, nullable=True),
        sa.Column("paypal_refund_id", sa.String(64), nullable=True),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("failure", sa.String(500), nullable=False),
        sa.Column("created_at", DATETIME, nullable=False),
        sa.Column("updated_at", DATETIME, nullable=False),
        sa.Column("captured_at", DATETIME, nullable=True),
        sa.Column("refunded_at", DATETIME, nullable=True),
        _user_fk("orders"),
        sa.ForeignKeyConstraint(
            ["coupon_id"], ["coupons.id"], name="fk_orders_coupon_id_coupons", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_orders"),
        sa.UniqueConstraint("public_id", name="uq_orders_public_id"),
        sa.UniqueConstraint("paypal_order_id", name="uq_orders_paypal_order_id"),
        **TABLE_OPTIONS,
    )
    op.create_index("ix_orders_user_id", "orders", ["user_id"])
    op.create_index("ix_orders_status", "orders", ["status"])
    op.create_index("ix_orders_paypal_capture_id", "orders", ["paypal_capture_id"])
    op.create_table(
        "order_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("at", DATETIME, nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name="fk_order_events_order_id_orders", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_order_events"),
        **TABLE_OPTIONS,
    )
    op.create_index("ix_order_events_order_id", "order_events", ["order_id"])
    op.create_table(
        "coupon_redemptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coupon_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("created_at", DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["coupon_id"],
            ["coupons.id"],
            name="fk_coupon_redemptions_coupon_id_coupons",
            ondelete="CASCADE",
        ),
        _user_fk("coupon_redemptions"),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name="fk_coupon_redemptions_order_id_orders",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_coupon_redemptions"),
        sa.UniqueConstraint("order_id", name="uq_coupon_redemptions_order_id"),
        **TABLE_OPTIONS,
    )
    op.create_index("ix_coupon_redemptions_coupon_id", "coupon_redemptions", ["coupon_id"])
    op.create_index("ix_coupon_redemptions_user_id", "coupon_redemptions", ["user_id"])
    op.create_table(
        "payment_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("resource_id", sa.String(64), nullable=False),
        sa.Column("received_at", DATETIME, nullable=False),
        sa.Column("processed_at", DATETIME, nullable=True),
        sa.Column("outcome", sa.String(200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_payment_events"),
        sa.UniqueConstraint("event_id", name="uq_payment_events_event_id"),
        **TABLE_OPTIONS,
    )


def downgrade() -> None:
    for table in ("payment_events", "coupon_redemptions", "order_events", "orders", "coupons"):
        op.drop_table(table)

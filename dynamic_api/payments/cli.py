"""``lms coupon …`` and ``lms order …``: coupons and refunds from the command line.

Registered on the ``lms`` group in ``site_builder/cli.py``. They use the same rules as the
API (``payments/coupons.py``, ``payments/checkout.py``); a refund goes through the PayPal
named by ``LMS_PAYPAL_BASE_URL`` (the bundled sandbox of ``lms serve`` lives inside that
process: refund its orders through the admin API instead).
"""

from __future__ import annotations

import asyncio
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.engine import Engine

    from dynamic_api.models import Coupon

STATUS_CHOICE = click.Choice(
    ["created", "pending", "captured", "failed", "cancelled", "refunded"], case_sensitive=False
)


@contextmanager
def _database() -> Iterator[tuple[Any, Engine]]:
    from dynamic_api.cli import _engine, _settings

    settings = _settings()
    with _engine(settings) as engine:
        yield settings, engine


def _catalog(session: Any) -> Any:
    from dynamic_api.learning.catalog import CatalogStore

    return CatalogStore(0).current(session)


def _fail(exc: Exception) -> click.ClickException:
    from dynamic_api.cli import _fail as fail

    return fail(exc)


def _coupon_line(coupon: Coupon) -> str:
    from dynamic_api.payments.views import CouponView

    view = CouponView.of(coupon)
    off = f"{view.value}%" if view.kind == "percent" else f"{view.value} {view.currency}"
    limit = (
        f"{view.redeemed}/{view.max_redemptions}" if view.max_redemptions else str(view.redeemed)
    )
    window = " → ".join(
        moment.strftime("%Y-%m-%d %H:%M") if moment else "…"
        for moment in (view.valid_from, view.valid_until)
    )
    state = "active" if view.active else "inactive"
    return "\t".join(
        [
            view.code,
            off,
            view.course or "(every item)",
            f"used {limit}",
            f"per user {view.per_user_limit or '∞'}",
            window if view.valid_from or view.valid_until else "always",
            state,
        ]
    )


# --- lms coupon ------------------------------------------------------------------------------


@click.group()
def coupon() -> None:
    """Discount coupons: percentage or fixed amount, one course or every item."""


@coupon.command("create")
@click.argument("code")
@click.option("--percent", type=str, default=None, help="Percentage off, e.g. 20.")
@click.option("--amount", type=str, default=None, help="Fixed amount off, e.g. 10.00.")
@click.option("--currency", default=None, help="Currency of --amount (ISO 4217, e.g. USD).")
@click.option("--course", default=None, help="Only for this course (slug); default: everything.")
@click.option("--valid-from", default=None, help="Start: YYYY-MM-DD or an ISO date-time (UTC).")
@click.option("--valid-until", default=None, help="End (excluded): YYYY-MM-DD or ISO date-time.")
@click.option("--max-redemptions", type=int, default=None, help="Uses in total.")
@click.option("--per-user-limit", type=int, default=None, help="Uses per student.")
def create(
    code: str,
    percent: str | None,
    amount: str | None,
    currency: str | None,
    course: str | None,
    valid_from: str | None,
    valid_until: str | None,
    max_redemptions: int | None,
    per_user_limit: int | None,
) -> None:
    """Create coupon CODE: lms coupon create LAUNCH20 --percent 20 --course python-basics."""
    from pydantic import ValidationError

    from dynamic_api.db import session_scope
    from dynamic_api.payments import coupons
    from dynamic_api.payments.views import CouponCreate

    if (percent is None) == (amount is None):
        raise click.UsageError("Give exactly one of --percent or --amount.")
    values: dict[str, Any] = {
        "code": code,
        "kind": "percent" if percent is not None else "fixed",
        "value": percent if percent is not None else amount,
        "currency": currency,
        "course": course,
        "valid_from": valid_from,
        "valid_until": valid_until,
        "max_redemptions": max_redemptions,
        "per_user_limit": per_user_limit,
    }
    try:
        data = CouponCreate.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or 'coupon'}: {error['msg']}"
            for error in exc.errors(include_url=False)
        )
        raise click.BadParameter(problems) from None
    with _database() as (_settings, engine):
        try:
            with session_scope(engine) as session:
                created = coupons.create(session, _catalog(session), data, user=None)
                line = _coupon_line(created)
        except Exception as exc:
            raise _fail(exc) from None
    click.secho(f"Created coupon {line}", fg="green")


@coupon.command("list")
@click.option("--course", default=None, help="Only coupons of this course.")
@click.option("--all", "show_all", is_flag=True, help="Include inactive coupons.")
def list_coupons(course: str | None, show_all: bool) -> None:
    """List coupons: code, discount, course, uses, limits, validity, state."""
    from dynamic_api.db import session_scope
    from dynamic_api.payments import coupons

    with _database() as (_settings, engine), session_scope(engine) as session:
        found = coupons.listed(
            session, None, user=None, course=course, active=None if show_all else True
        )
        lines = [_coupon_line(c) for c in found]
    for line in lines:
        click.echo(line)
    click.echo(f"{len(lines)} coupon(s).", err=True)


@coupon.command("deactivate")
@click.argument("code")
def deactivate(code: str) -> None:
    """Stop coupon CODE from being used (redemptions made stay)."""
    from dynamic_api.db import session_scope
    from dynamic_api.payments import coupons

    with _database() as (_settings, engine), session_scope(engine) as session:
        found = coupons.by_code(session, code)
        if found is None:
            raise click.ClickException(f"There is no coupon {code.upper()}.")
        coupons.set_active(session, None, found, False, user=None)
        shown = found.code
    click.secho(f"Coupon {shown} deactivated.", fg="yellow")


# --- lms order -------------------------------------------------------------------------------


@click.group()
def order() -> None:
    """Orders: list them, refund one through PayPal."""


@order.command("list")
@click.option("--status", type=STATUS_CHOICE, default=None, help="Only orders in this state.")
@click.option("--email", default=None, help="Only this buyer's orders.")
@click.option("--flagged", is_flag=True, help="Only orders whose PayPal figures differed.")
@click.option("--limit", default=50, show_default=True)
def list_orders(status: str | None, email: str | None, flagged: bool, limit: int) -> None:
    """List orders, newest first: id, state, buyer, item, amount, date."""
    from dynamic_api.db import session_scope
    from dynamic_api.payments import orders
    from dynamic_api.payments.views import money_text

    with _database() as (_settings, engine), session_scope(engine) as session:
        rows, total = orders.admin_list(
            session,
            status=status.lower() if status else None,
            email=email,
            flagged=True if flagged else None,
            per_page=max(1, min(limit, 1000)),
        )
        lines = [
            "\t".join(
                [
                    found.public_id,
                    found.status + (" FLAGGED" if found.flagged else ""),
                    user.email if user else "?",
                    f"{found.kind}:{found.item}",
                    f"{money_text(found.amount, found.currency)} {found.currency}",
                    found.created_at.strftime("%Y-%m-%d %H:%M"),
                ]
            )
            for found, user, _code in rows
        ]
    for line in lines:
        click.echo(line)
    click.echo(f"{len(lines)} of {total} order(s).", err=True)


@order.command("refund")
@click.argument("order_id")
@click.option("--reason", default="", help="Kept in the audit trail (and sent to PayPal).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def refund(order_id: str, reason: str, yes: bool) -> None:
    """Refund paid order ORDER_ID in full through PayPal and end the access it gave
    (LMS_REFUND_REVOKES_ACCESS)."""
    from dynamic_api.learning.catalog import CatalogStore
    from dynamic_api.mail import Mailer, transport_for
    from dynamic_api.payments.checkout import Payments, engine_db
    from dynamic_api.payments.wiring import open_paypal

    if not yes:
        click.confirm(f"Refund order {order_id} in full?", abort=True)
    with _database() as (settings, engine):
        mailer = Mailer(transport_for(settings), failed_dir=settings.outbox_dir / "failed")

        async def run() -> tuple[Any, bool]:
            paypal = open_paypal(settings)
            try:
                payments = Payments(
                    settings, paypal, engine_db(engine), CatalogStore(0), mailer.send
                )
                return await payments.refund(order_id, by="cli", reason=reason)
            finally:
                if paypal is not None:
                    await paypal.aclose()

        try:
            refunded, pending = asyncio.run(run())
        except Exception as exc:
            raise _fail(exc) from None
        finally:
            mailer.close()
    if pending:
        click.secho(f"PayPal is processing the refund of {refunded.public_id}.", fg="yellow")
    else:
        click.secho(f"Order {refunded.public_id} is {refunded.status}.", fg="green")

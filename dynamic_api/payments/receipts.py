"""Receipts: the PDF a buyer downloads, and the emails sent when an order is paid or refunded.

The PDF is printed by WeasyPrint from ``dynamic_api/templates/receipts/receipt.html`` the way
certificates are (``dynamic_api/certificates/render.py``): labels through gettext in the
buyer's language, dates and amounts through Babel, the fonts shipped with the default theme
loaded by ``file:`` URL through the same offline fetcher, so nothing is fetched from the
network. It is rendered on demand from the order record (small, and never changes once paid).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from email.message import EmailMessage
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_datetime
from babel.numbers import format_currency
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from dynamic_api.certificates.designs import DEFAULT_THEME_DIR
from dynamic_api.certificates.fetcher import OfflineFetcher
from dynamic_api.errors import ApiError
from dynamic_api.mail.compose import compose, language_of, sender
from dynamic_api.models import Order, OrderStatus, User
from dynamic_api.payments.views import item_path
from site_builder.i18n import load_translations
from site_builder.settings import Settings

logger = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
RECEIPTS_DIR = PACKAGE_DIR / "templates" / "receipts"
TRANSLATIONS_DIR = PACKAGE_DIR / "translations"
FONTS_DIR = DEFAULT_THEME_DIR / "certificates" / "fonts"

KIND_LABELS = {"course": "Course", "program": "Learning path", "masterclass": "Master class"}


def N_(message: str) -> str:
    return message


# Marked for extraction; translated with the receipt's language.
N_("Course")
N_("Learning path")
N_("Master class")


@dataclass(frozen=True)
class ReceiptFacts:
    """What a receipt says, formatted for one language."""

    number: str
    school: str
    site_url: str
    buyer_name: str
    buyer_email: str
    kind: str
    title: str
    item_url: str
    list_amount: str
    discount: str | None
    coupon: str | None
    amount: str
    paid_at: str
    status: str
    refunded: str | None
    refunded_at: str | None
    capture_id: str | None
    language: str


def _money(amount: Decimal | None, currency: str, language: str) -> str:
    if amount is None:
        return ""
    return str(format_currency(amount, currency, locale=language))


def _when(moment: datetime | None, language: str) -> str | None:
    if moment is None:
        return None
    when = format_datetime(moment, format="medium", tzinfo=moment.tzinfo, locale=language)
    return f"{when} UTC"


def facts(
    settings: Settings,
    order: Order,
    user: User,
    coupon: str | None,
    school: str = "",
) -> ReceiptFacts:
    language = language_of(user.language)
    translations = load_translations(TRANSLATIONS_DIR, language)
    site = settings.site_url.rstrip("/")
    discount = order.discount if order.discount else None
    return ReceiptFacts(
        number=order.public_id,
        school=school or sender(settings)[0],
        site_url=site,
        buyer_name=user.name,
        buyer_email=user.email,
        kind=translations.gettext(KIND_LABELS.get(order.kind, order.kind)),
        title=order.item_title or order.item,
        item_url=f"{site}/{item_path(order.kind, order.item)}",
        list_amount=_money(order.list_amount, order.currency, language),
        discount=_money(discount, order.currency, language) if discount else None,
        coupon=coupon,
        amount=_money(order.amount, order.currency, language),
        paid_at=_when(order.captured_at or order.created_at, language) or "",
        status=order.status,
        refunded=(
            _money(order.refunded_amount, order.captured_currency or order.currency, language)
            if order.status == OrderStatus.REFUNDED.value
            else None
        ),
        refunded_at=_when(order.refunded_at, language),
        capture_id=order.paypal_capture_id,
        language=language,
    )


# --- the PDF ----------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _environment(language: str) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(RECEIPTS_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
    )
    translations = load_translations(TRANSLATIONS_DIR, language)
    environment.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    return environment


def receipt_html(receipt: ReceiptFacts) -> str:
    """The HTML WeasyPrint prints (handy to look at in a browser)."""
    template = _environment(receipt.language).get_template("receipt.html")
    return template.render(receipt=receipt, font_url=lambda name: (FONTS_DIR / name).as_uri())


def render_receipt_pdf(receipt: ReceiptFacts) -> bytes:
    """An A4 PDF receipt; loads nothing but the shipped fonts."""
    fetcher = OfflineFetcher([RECEIPTS_DIR, FONTS_DIR])
    html = HTML(
        string=receipt_html(receipt), base_url=RECEIPTS_DIR.as_uri() + "/", url_fetcher=fetcher
    )
    return html.write_pdf(font_config=FontConfiguration())  # type: ignore[no-any-return]


# --- emails -----------------------------------------------------------------------------------


def _values(receipt: ReceiptFacts, settings: Settings) -> dict[str, Any]:
    return {
        "receipt": receipt,
        "url": f"{settings.site_url.rstrip('/')}/account/payments/",
        "item_url": receipt.item_url,
    }


def receipt_email(settings: Settings, receipt: ReceiptFacts) -> EmailMessage:
    """ "Your payment is confirmed": what was bought, for how much, and the receipt link."""
    return compose(
        settings,
        template="payment_receipt",
        to=receipt.buyer_email,
        name=receipt.buyer_name,
        language=receipt.language,
        **_values(receipt, settings),
    )


def refund_email(settings: Settings, receipt: ReceiptFacts, *, revoked: bool) -> EmailMessage:
    """ "Your payment was refunded", and whether the access it gave has ended."""
    return compose(
        settings,
        template="payment_refunded",
        to=receipt.buyer_email,
        name=receipt.buyer_name,
        language=receipt.language,
        revoked=revoked,
        **_values(receipt, settings),
    )


async def receipt_response(request: Request, public_id: str, *, buyer_id: int | None) -> Response:
    """The PDF receipt of order ``public_id``, in its buyer's language. ``buyer_id``: only
    that user's order (the buyer's own download), ``None``: any order (an admin's). 404 when
    there is no such order, 409 ``not_paid`` before it is paid."""
    from dynamic_api.db import run_in_session
    from dynamic_api.learning.catalog import request_catalog
    from dynamic_api.payments import orders

    store = request_catalog(request)
    settings = request.app.state.settings

    def load(session: Session) -> ReceiptFacts:
        order = orders.by_public_id(session, public_id)
        if order is None or (buyer_id is not None and order.user_id != buyer_id):
            raise ApiError(404, "not_found", "There is no order with this id.")
        if order.status not in orders.FINAL:
            raise ApiError(409, "not_paid", "A receipt is available once the order is paid.")
        buyer = orders.buyer(session, order.user_id)
        if buyer is None:
            raise ApiError(404, "not_found", "The buyer of this order has deleted their account.")
        catalog = store.current(session)
        school = catalog.manifest.site_name if catalog is not None else ""
        return facts(settings, order, buyer, orders.coupon_code(session, order), school)

    receipt = await run_in_session(request, load)
    pdf = await run_in_threadpool(render_receipt_pdf, receipt)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="receipt-{public_id}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )

"""The buyer's approval page at the order's ``approve``/``payer-action`` link.

``GET /checkoutnow?token={order}`` shows the order with two buttons; the form posts back to
the same path and the sandbox redirects the browser like PayPal: to ``return_url`` with
``?token={order}&PayerID={payer}`` after approval, to ``cancel_url`` with ``?token={order}``
after cancelling. Plain HTML, no script, no external asset.
"""

from __future__ import annotations

import html
import logging
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from paypal_sandbox.state import OrderRecord, Sandbox, new_id, now_iso

__all__ = ["approval_page", "approve", "decide", "with_query"]

logger = logging.getLogger(__name__)

CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'"
STYLE = """
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f5f7fa;color:#1a1a1a}
main{max-width:28rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:.75rem;
box-shadow:0 1px 4px rgba(0,0,0,.15)}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
.note{margin:0;padding:.25rem .75rem;background:#fff3cd;color:#4d3800;border-radius:1rem;
display:inline-block;font-size:.875rem}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0}
.actions{display:flex;flex-direction:column;gap:.75rem;margin-top:1.5rem}
button{font:inherit;padding:.75rem 1rem;border-radius:2rem;border:2px solid #003087;
cursor:pointer;background:#003087;color:#fff}
button.secondary{background:#fff;color:#003087}
button:focus-visible{outline:3px solid #b35900;outline-offset:2px}
"""


def with_query(url: str, **params: str) -> str:
    """``url`` with ``params`` added to its query string (PayPal keeps the merchant's)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    return urlunsplit(parts._replace(query=urlencode([*query, *params.items()])))


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    document = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} · PayPal sandbox</title><style>{STYLE}</style></head>"
        f'<body><main><p class="note">Sandbox: no real money moves</p>{body}</main></body></html>'
    )
    return HTMLResponse(
        document,
        status_code=status,
        headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store"},
    )


def _unknown(token: str) -> HTMLResponse:
    return _page(
        "Order not found",
        f"<h1>Order not found</h1><p>No order <code>{html.escape(token)}</code> here. It may "
        "belong to another sandbox, or the sandbox was restarted.</p>",
        404,
    )


def approve(sandbox: Sandbox, order: OrderRecord) -> str:
    """Mark the order approved by the sandbox buyer; return the payer id."""
    if order.status in {"CREATED", "PAYER_ACTION_REQUIRED"}:
        order.status = "APPROVED"
        order.payer_id = order.payer_id or new_id(13)
        order.update_time = now_iso()
        logger.info("order %s approved by %s", order.id, order.payer_id)
    return order.payer_id or ""


async def approval_page(request: Request) -> Response:
    """``GET /checkoutnow?token=…``."""
    sandbox: Sandbox = request.app.state.sandbox
    token = request.query_params.get("token", "")
    order = sandbox.orders.get(token)
    if order is None:
        return _unknown(token)
    items = order.unit.get("items") or []
    item = items[0].get("name", "") if items else order.unit.get("description", "")
    total = f"{order.value} {order.currency}"
    summary = (
        f"<dl><dt>Merchant</dt><dd>{html.escape(sandbox.config.merchant_email)}</dd>"
        f"<dt>Item</dt><dd>{html.escape(str(item))}</dd>"
        f"<dt>Total</dt><dd>{html.escape(total)}</dd>"
        f"<dt>Paying as</dt><dd>{html.escape(sandbox.config.buyer_email)}</dd></dl>"
    )
    if order.status not in {"CREATED", "PAYER_ACTION_REQUIRED", "APPROVED"}:
        return _page(
            "Order closed",
            f"<h1>This order is {html.escape(order.status.lower())}</h1>{summary}",
            409,
        )
    action = html.escape(request.url.path)
    form = (
        f'<form method="post" action="{action}" class="actions">'
        f'<input type="hidden" name="token" value="{html.escape(order.id)}">'
        '<button type="submit" name="action" value="approve">Approve and pay '
        f"{html.escape(total)}</button>"
        '<button type="submit" name="action" value="cancel" class="secondary">'
        "Cancel and return to the merchant</button></form>"
    )
    return _page("Review your payment", f"<h1>Review your payment</h1>{summary}{form}")


async def decide(request: Request) -> Response:
    """``POST /checkoutnow``: approve or cancel, then back to the merchant's page."""
    sandbox: Sandbox = request.app.state.sandbox
    form = parse_qs((await request.body()).decode())
    token = (form.get("token") or [request.query_params.get("token", "")])[0]
    choice = (form.get("action") or [""])[0]
    order = sandbox.orders.get(token)
    if order is None:
        return _unknown(token)
    if choice == "approve":
        payer_id = approve(sandbox, order)
        if order.return_url:
            return RedirectResponse(
                with_query(order.return_url, token=order.id, PayerID=payer_id), 303
            )
        return _page("Approved", "<h1>Payment approved</h1><p>You can close this page.</p>")
    if choice == "cancel":
        logger.info("order %s: buyer cancelled", order.id)
        if order.cancel_url:
            return RedirectResponse(with_query(order.cancel_url, token=order.id), 303)
        return _page("Cancelled", "<h1>Payment cancelled</h1><p>You can close this page.</p>")
    return _page("Choose", "<h1>Choose Approve or Cancel</h1>", 400)

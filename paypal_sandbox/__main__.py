"""``python -m paypal_sandbox [--host 127.0.0.1] [--port 8790] [--webhook-url URL]``."""

from __future__ import annotations

import argparse
import logging

from paypal_sandbox.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, SandboxConfig


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m paypal_sandbox", description="Run the PayPal-compatible sandbox."
    )
    parser.add_argument("--host", default="127.0.0.1", help="Keep it on loopback.")
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--webhook-url", default="", help="Where to POST webhook events.")
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    parser.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from paypal_sandbox.serve import serve

    serve(
        SandboxConfig(
            client_id=args.client_id,
            client_secret=args.client_secret,
            webhook_url=args.webhook_url,
        ),
        host=args.host,
        port=args.port,
    )


if __name__ == "__main__":
    main()

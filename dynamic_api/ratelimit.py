"""Rate limits on the endpoints that guess or send: sign-in, sign-up, password reset.

Each action is limited twice, per client IP and per account (the normalised email), with the
``limits`` library's *moving window* (no burst at a window's edge). Counts live in the process
by default and in Redis when ``LMS_REDIS_URL`` is set, so several API processes share them.
A refusal is 429 ``rate_limited`` with ``Retry-After`` in seconds.

If Redis fails, requests are let through (and the failure logged): an outage of the limiter
must not become an outage of sign-in.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Literal

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from dynamic_api.errors import ApiError
from site_builder.settings import Settings

logger = logging.getLogger(__name__)

Action = Literal["login", "register", "forgot"]


@dataclass(frozen=True)
class ActionLimits:
    per_ip: RateLimitItem
    per_account: RateLimitItem


class RateLimiter:
    """The limits of every action, on one storage."""

    def __init__(self, settings: Settings, key_prefix: str = "lms") -> None:
        self.storage: Storage
        if settings.redis_url:
            self.storage = storage_from_string(
                settings.redis_url, key_prefix=f"{key_prefix}:ratelimit"
            )
        else:
            self.storage = MemoryStorage()
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.key_prefix = key_prefix
        self.actions: dict[str, ActionLimits] = {
            "login": ActionLimits(
                parse(settings.rate_limit_login_ip), parse(settings.rate_limit_login_account)
            ),
            "register": ActionLimits(
                parse(settings.rate_limit_register_ip), parse(settings.rate_limit_register_account)
            ),
            "forgot": ActionLimits(
                parse(settings.rate_limit_forgot_ip), parse(settings.rate_limit_forgot_account)
            ),
        }

    @property
    def shared(self) -> bool:
        return not isinstance(self.storage, MemoryStorage)

    def hit(self, action: Action, ip: str, account: str | None = None) -> int | None:
        """Count one attempt; ``None`` when allowed, else the seconds to wait."""
        limits = self.actions[action]
        checks = [(limits.per_ip, "ip", ip)]
        if account:
            checks.append((limits.per_account, "account", account))
        try:
            for item, kind, identifier in checks:
                if not self.limiter.hit(item, self.key_prefix, action, kind, identifier):
                    stats = self.limiter.get_window_stats(
                        item, self.key_prefix, action, kind, identifier
                    )
                    return max(1, math.ceil(stats.reset_time - time.time()))
        except Exception:  # the shared storage is down: fail open, loudly
            logger.exception("Rate limit storage failed; letting the request through")
        return None

    async def check(self, request: Request, action: Action, account: str | None = None) -> None:
        """Count one attempt of ``action``; raise 429 when a limit is exceeded."""
        from dynamic_api.auth import client_ip

        ip = client_ip(request)
        if self.shared:
            wait = await run_in_threadpool(self.hit, action, ip, account)
        else:
            wait = self.hit(action, ip, account)
        if wait is not None:
            logger.warning("Rate limit hit: %s from %s", action, ip)
            raise ApiError(
                429,
                "rate_limited",
                f"Too many attempts. Please wait {wait} seconds and try again.",
                headers={"Retry-After": str(wait)},
            )

    def reset(self) -> None:
        self.storage.reset()

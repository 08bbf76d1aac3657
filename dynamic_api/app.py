"""The application factory of the API.

``create_app()`` composes the app as data (routes, middleware, exception handlers,
lifespan) from one :class:`~site_builder.settings.Settings`; tests call it with their own
settings, the way Flask's tutorial calls ``create_app(test_config)``.

What the app holds in ``app.state``: ``settings``; ``passwords`` (Argon2id), ``tokens``
(signed email links), ``rate_limiter`` and ``catalog`` (the published catalog's cache),
made here; ``engine``, ``mailer``, ``paypal`` (the PayPal client, or None), ``db_executor``
and ``lookup_executor`` (the database threads) and ``session_reader`` (session lookups on
the event loop, or None), opened by the lifespan and closed after it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import OperationalError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from dynamic_api.auth import SessionCookieMiddleware
from dynamic_api.csrf import CrossOriginProtectionMiddleware
from dynamic_api.db import database_executors, database_unavailable, engine_for
from dynamic_api.errors import EXCEPTION_HANDLERS
from dynamic_api.learning import certificates
from dynamic_api.learning.catalog import CatalogStore
from dynamic_api.loop_reads import loop_reader_for
from dynamic_api.mail import Mailer, transport_for
from dynamic_api.middleware import SecurityHeadersMiddleware
from dynamic_api.migrate import auto_migrate
from dynamic_api.passwords import Passwords
from dynamic_api.payments.wiring import open_paypal
from dynamic_api.ratelimit import RateLimiter
from dynamic_api.routes import routes, schema_models
from dynamic_api.tokens import EmailTokens
from site_builder.settings import Settings, get_settings

logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """Open the database and the mail queue for the app's whole life.

    An SQLite database is upgraded to the latest migration here (``LMS_AUTO_MIGRATE``).
    When the API is mounted in another app (``lms serve``), Starlette does not run a
    mounted app's lifespan: the host app must enter ``app.router.lifespan_context(app)``.
    """
    settings: Settings = app.state.settings
    logger.info("API starting (env=%s)", settings.env)
    engine = engine_for(settings)
    mailer = Mailer(transport_for(settings), failed_dir=settings.outbox_dir / "failed")
    executors = database_executors()
    session_reader = loop_reader_for(engine)  # session lookups on the loop (loop_reads.py)
    # One PayPal client (token, connection pool) for the app's life; None: payments are off.
    paypal = open_paypal(
        settings,
        getattr(app.state, "paypal_sandbox_url", None),
        getattr(app.state, "paypal_config_changes", None),
    )
    try:
        await run_in_threadpool(auto_migrate, settings, engine)
        await run_in_threadpool(app.state.passwords.warm_up)
        app.state.engine = engine
        app.state.session_reader = session_reader
        app.state.mailer = mailer
        certificates.mail_when_issued(engine, settings, mailer.send)  # "your certificate is ready"
        app.state.paypal = paypal
        for name, executor in executors.items():
            setattr(app.state, name, executor)
        yield
    finally:
        certificates.stop_mailing(engine)
        app.state.paypal = None
        if paypal is not None:
            await paypal.aclose()
        await run_in_threadpool(mailer.close)
        for name, executor in executors.items():
            setattr(app.state, name, None)
            await run_in_threadpool(executor.shutdown)
        app.state.session_reader = None
        if session_reader is not None:
            await session_reader.close()
        engine.dispose()
        logger.info("API stopped")


def middleware_for(settings: Settings) -> list[Middleware]:
    """Outermost first: headers on every answer, CORS (which answers preflights), the
    cross-origin check, then the per-request session state."""
    origins = settings.allowed_origin_list()
    stack = [Middleware(SecurityHeadersMiddleware)]
    if origins:
        stack.append(
            Middleware(
                CORSMiddleware,
                allow_origins=origins,
                allow_credentials=True,
                allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                allow_headers=["Content-Type"],
                expose_headers=["Retry-After"],
                max_age=600,
            )
        )
    stack.append(Middleware(CrossOriginProtectionMiddleware, trusted_origins=origins))
    stack.append(Middleware(SessionCookieMiddleware))
    return stack


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the API app; ``settings`` defaults to the process-wide ``get_settings()``."""
    settings = settings if settings is not None else get_settings()
    app = Starlette(
        debug=False,  # never: debug answers a crash with its traceback
        routes=list(routes),
        middleware=middleware_for(settings),
        exception_handlers={**EXCEPTION_HANDLERS, OperationalError: database_unavailable},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.schema_models = list(schema_models)
    app.state.passwords = Passwords(settings)
    app.state.tokens = EmailTokens(
        settings.effective_secret_key(),
        verify_max_age=settings.verify_token_hours * 3600,
        reset_max_age=settings.reset_token_minutes * 60,
    )
    app.state.rate_limiter = RateLimiter(settings)
    app.state.catalog = CatalogStore(settings.catalog_refresh_seconds)
    return app

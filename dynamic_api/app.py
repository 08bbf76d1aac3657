"""The application factory of the API.

``create_app()`` composes the app as data (routes, middleware, exception handlers,
lifespan) from one :class:`~site_builder.settings.Settings`; tests call it with their own
settings, the way Flask's tutorial calls ``create_app(test_config)``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware

from dynamic_api.errors import EXCEPTION_HANDLERS
from dynamic_api.middleware import SecurityHeadersMiddleware
from dynamic_api.routes import routes, schema_models
from site_builder.settings import Settings, get_settings

logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """Open what the API needs for its whole life (the database pool, in a later issue).

    When the API is mounted in another app (``lms serve``), Starlette does not run a
    mounted app's lifespan: the host app must enter ``app.router.lifespan_context(app)``.
    """
    settings: Settings = app.state.settings
    logger.info("API starting (env=%s)", settings.env)
    yield
    logger.info("API stopped")


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the API app; ``settings`` defaults to the process-wide ``get_settings()``."""
    app = Starlette(
        debug=False,  # never: debug answers a crash with its traceback
        routes=list(routes),
        middleware=[Middleware(SecurityHeadersMiddleware)],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.settings = settings if settings is not None else get_settings()
    app.state.schema_models = list(schema_models)
    return app

"""Fixtures of the payment tests: a PayPal-compatible sandbox on a free loopback port (one
per test: state never leaks between tests), a webhook receiver, and an async PayPal client
pointed at the sandbox with tiny retry delays.

Async tests run on anyio's pytest plugin (asyncio backend). The sandbox has its own thread
and event loop, so an async test may call the synchronous control client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from payments_support import client_config

from dynamic_api.payments import PayPalClient
from paypal_sandbox.testing import (
    RecordingReceiver,
    RunningSandbox,
    recording_receiver,
    running_sandbox,
)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with running_sandbox() as running:
        yield running


@pytest.fixture
def receiver(sandbox: RunningSandbox) -> Iterator[RecordingReceiver]:
    """A webhook endpoint the sandbox delivers to."""
    with recording_receiver() as running:
        sandbox.control.configure(webhook_url=running.url)
        yield running


@pytest.fixture
async def paypal(sandbox: RunningSandbox) -> AsyncIterator[PayPalClient]:
    async with PayPalClient(client_config(sandbox)) as client:
        yield client

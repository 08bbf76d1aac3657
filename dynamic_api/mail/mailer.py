"""Delivery off the request path: one background thread per API process.

A response never waits for an SMTP server. Tests (and shutdown) call :meth:`Mailer.drain`
to wait until everything queued has been delivered, which keeps them deterministic.
A message that cannot be delivered is logged and kept in ``var/outbox/failed/`` so that no
verification or reset email is silently lost.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from email.message import EmailMessage
from pathlib import Path

from dynamic_api.mail.transports import OutboxTransport, Transport

logger = logging.getLogger(__name__)


class Mailer:
    def __init__(self, transport: Transport, failed_dir: Path | None = None) -> None:
        self.transport = transport
        self.failed = OutboxTransport(failed_dir) if failed_dir is not None else None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lms-mail")
        self._lock = threading.Lock()
        self._pending: set[Future[None]] = set()

    def send(self, message: EmailMessage) -> Future[None]:
        """Queue ``message``; returns at once."""
        future = self._executor.submit(self._deliver, message)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def _deliver(self, message: EmailMessage) -> None:
        try:
            self.transport.send(message)
        except Exception:
            logger.exception("Could not deliver mail to %s", message["To"])
            if self.failed is not None:
                self.failed.send(message)

    def drain(self, timeout: float = 30.0) -> None:
        """Wait until every queued message has been handled (delivered or kept as failed)."""
        with self._lock:
            pending = list(self._pending)
        wait(pending, timeout=timeout)

    def close(self) -> None:
        self.drain()
        self._executor.shutdown(wait=True)

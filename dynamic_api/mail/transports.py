"""Where a message goes: an SMTP server, or ``.eml`` files in an outbox folder."""

from __future__ import annotations

import logging
import os
import secrets
import smtplib
import ssl
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from site_builder.settings import Settings

logger = logging.getLogger(__name__)


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class OutboxTransport:
    """Writes each message as an RFC 5322 file ``<UTC time>-<random>.eml`` in ``folder``.

    Names sort by time; the file appears whole (written aside, then renamed), so a reader
    polling the folder never sees half a message.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        path = self.folder / f"{stamp}-{secrets.token_hex(4)}.eml"
        partial = path.with_suffix(".eml.part")
        partial.write_bytes(message.as_bytes(policy=policy.SMTP))
        os.replace(partial, path)
        logger.info("Mail to %s written to %s", message["To"], path)
        return path


class SMTPTransport:
    """Sends through an SMTP server: implicit TLS, STARTTLS or plain, AUTH when configured."""

    def __init__(self, settings: Settings) -> None:
        self.host = settings.smtp_host
        self.port = settings.smtp_port
        self.username = settings.smtp_username
        self.password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
        self.starttls = settings.smtp_starttls
        self.ssl = settings.smtp_ssl
        self.timeout = settings.smtp_timeout

    def send(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self.ssl:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.starttls and not self.ssl:
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)
        logger.info("Mail to %s sent through %s:%s", message["To"], self.host, self.port)


def transport_for(settings: Settings) -> Transport:
    """SMTP when ``LMS_SMTP_HOST`` is set, else the outbox folder."""
    if settings.smtp_host:
        return SMTPTransport(settings)
    return OutboxTransport(settings.outbox_dir)

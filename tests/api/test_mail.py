"""Email: a real SMTP server on loopback (aiosmtpd), the file outbox, both languages."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope
from api_support import PASSWORD, html_of, make_settings, parse_eml, text_of, token_in
from starlette.testclient import TestClient

from dynamic_api import create_app
from dynamic_api.mail import EMAILS, OutboxTransport, compose, link
from dynamic_api.payments.receipts import ReceiptFacts
from site_builder.settings import Settings


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        login = (auth_data.login.decode(), auth_data.password.decode())
        self.logins.append(login)
        return AuthResult(success=login == ("mailer", "s3cret"))

    def messages(self) -> list[EmailMessage]:
        return [parse_eml(bytes(envelope.original_content or b"")) for envelope in self.envelopes]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=inbox.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def smtp_client(
    smtp: tuple[Inbox, int], tmp_path: Path, database_url: str
) -> Iterator[tuple[TestClient, Inbox]]:
    inbox, port = smtp
    settings = make_settings(
        tmp_path,
        database_url,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        smtp_username="mailer",
        smtp_password="s3cret",
        smtp_from="Open Harbor Academy <hello@academy.example>",
        site_url="https://learn.example.com",
    )
    with TestClient(create_app(settings)) as client:
        yield client, inbox


def drain(client: TestClient) -> None:
    client.app.state.mailer.drain()  # type: ignore[attr-defined]


def test_verification_email_through_a_real_smtp_server(
    smtp_client: tuple[TestClient, Inbox],
) -> None:
    client, inbox = smtp_client

    response = client.post(
        "/api/auth/register",
        json={"email": "ana@example.com", "password": PASSWORD, "name": "Ana Morales"},
    )
    drain(client)

    assert response.status_code == 201
    assert inbox.logins == [("mailer", "s3cret")]
    (envelope,) = inbox.envelopes
    assert envelope.mail_from == "hello@academy.example"
    assert envelope.rcpt_tos == ["ana@example.com"]
    (message,) = inbox.messages()
    assert message["Subject"] == "Confirm your email address"
    assert message["From"] == "Open Harbor Academy <hello@academy.example>"
    assert message["To"] == "Ana Morales <ana@example.com>"
    assert message["Message-ID"].endswith("@academy.example>")
    assert message.get_content_type() == "multipart/alternative"
    text, html = text_of(message), html_of(message)
    assert "Hello Ana Morales," in text
    assert "valid for 48 hours" in text
    url = re.search(r"https://learn\.example\.com/account/verify/\?token=\S+", text)
    assert url is not None
    assert url.group(0) in html
    assert "<!DOCTYPE html>" in html

    verified = client.post("/api/auth/verify", json={"token": token_in(message)})
    assert verified.status_code == 200
    assert verified.json()["verified"] is True


def test_reset_email_in_spanish_through_smtp(smtp_client: tuple[TestClient, Inbox]) -> None:
    client, inbox = smtp_client
    client.post(
        "/api/auth/register",
        json={"email": "eva@example.com", "password": PASSWORD, "name": "Eva", "language": "es"},
    )

    client.post("/api/auth/password/forgot", json={"email": "eva@example.com"})
    drain(client)

    message = inbox.messages()[-1]
    assert message["Subject"] == "Restablece tu contraseña"
    assert "Hola, Eva:" in text_of(message)
    assert "60 minutos" in text_of(message)
    assert "https://learn.example.com/account/reset-password/?token=" in html_of(message)
    reset = client.post(
        "/api/auth/password/reset",
        json={"token": token_in(message), "password": "nueva-clave-del-puerto"},
    )
    assert reset.status_code == 200


def test_sending_happens_off_the_request_path(client: TestClient, settings: Settings) -> None:
    release, delivered = threading.Event(), []

    class SlowServer:
        def send(self, message: EmailMessage) -> None:
            release.wait(10)
            delivered.append(message)

    mailer = client.app.state.mailer  # type: ignore[attr-defined]
    mailer.transport = SlowServer()

    response = client.post(
        "/api/auth/register",
        json={"email": "ana@example.com", "password": PASSWORD, "name": "Ana"},
    )

    assert response.status_code == 201  # answered while the "server" is still busy
    assert delivered == []
    release.set()
    mailer.drain()
    assert len(delivered) == 1


def test_a_message_that_cannot_be_delivered_is_kept(
    tmp_path: Path, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(
        tmp_path, database_url, smtp_host="127.0.0.1", smtp_port=free_port(), smtp_timeout=2
    )
    with TestClient(create_app(settings)) as client:
        client.post(
            "/api/auth/register",
            json={"email": "ana@example.com", "password": PASSWORD, "name": "Ana"},
        )
        drain(client)

    (kept,) = (settings.outbox_dir / "failed").glob("*.eml")
    assert parse_eml(kept.read_bytes())["To"] == "Ana <ana@example.com>"
    assert "Could not deliver mail to Ana <ana@example.com>" in caplog.text


def test_the_outbox_writes_one_rfc_5322_file_per_message(
    client: TestClient, settings: Settings
) -> None:
    for email in ("a@example.com", "b@example.com"):
        client.post("/api/auth/register", json={"email": email, "password": PASSWORD, "name": "N"})
    drain(client)

    files = sorted(settings.outbox_dir.glob("*.eml"))
    assert len(files) == 2
    for path in files:
        assert re.fullmatch(r"\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{8}\.eml", path.name)
        raw = path.read_bytes()
        assert b"\r\n" in raw  # SMTP line endings
        message = parse_eml(raw)
        for header in ("Date", "Message-ID", "From", "To", "Subject"):
            assert message[header], header
    assert [parse_eml(p.read_bytes())["To"] for p in files] == [
        "N <a@example.com>",
        "N <b@example.com>",
    ]
    assert not list(settings.outbox_dir.glob("*.part"))


RECEIPT = ReceiptFacts(
    number="R-1",
    school="Open Harbor",
    site_url="http://127.0.0.1:8000",
    buyer_name="Ana",
    buyer_email="ana@example.com",
    kind="course",
    title="Pandas",
    item_url="http://127.0.0.1:8000/courses/pandas/",
    list_amount="$49.00",
    discount="$4.90",
    coupon="SAVE10",
    amount="$44.10",
    paid_at="1 Dec 2026",
    status="captured",
    refunded="$44.10",
    refunded_at="2 Dec 2026",
    capture_id="CAP-1",
    language="en",
)

#: What each email needs beyond ``name``, ``url``, ``hours`` and ``minutes``.
TEMPLATE_VALUES: dict[str, dict[str, object]] = {
    "attempt_request": {"student": "Bo", "course": "Pandas", "lesson": "Quiz", "reason": "Ill"},
    "attempt_decision": {
        "granted": True,
        "extra": 2,
        "note": "Good luck",
        "course": "Pandas",
        "lesson": "Quiz",
    },
    "masterclass_registration": {"title": "Live Q&A", "when": "1 Dec 2026", "platform": "Zoom"},
    "certificate_ready": {
        "title": "Pandas",
        "program": False,
        "pdf_url": "https://api.example/api/certificates/x.pdf",
        "dashboard_url": "https://site.example/account/learning/#certificates",
    },
    "payment_receipt": {"receipt": RECEIPT, "item_url": RECEIPT.item_url},
    "payment_refunded": {"receipt": RECEIPT, "revoked": True},
}


def test_every_email_has_its_test_values() -> None:
    """A new email must say here what it needs, or the test below cannot render it."""
    basic = {"verify_email", "change_email", "reset_password"}
    assert set(EMAILS) == basic | set(TEMPLATE_VALUES)


@pytest.mark.parametrize("template", sorted(EMAILS))
@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_every_email_renders_in_every_language(
    template: str, language: str, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, "sqlite://")
    message = compose(
        settings,
        template=template,
        to="ana@example.com",
        name="Ana <script>",
        language=language,
        url=link(settings, "account/verify", "tok.en-_"),
        hours=48,
        minutes=60,
        **TEMPLATE_VALUES.get(template, {}),
    )

    expected = "es" if language == "es" else "en"  # unknown languages fall back to English
    assert message["Content-Language"] == expected
    assert "Ana <script>" in text_of(message)
    assert "Ana &lt;script&gt;" in html_of(message)  # HTML is escaped
    assert "/account/verify/?token=tok.en-_" in text_of(message)


def test_outbox_transport_returns_the_path(tmp_path: Path) -> None:
    message = EmailMessage()
    message["To"] = "a@example.com"
    message.set_content("hello")

    path = OutboxTransport(tmp_path / "box").send(message)

    assert path.parent == tmp_path / "box"
    assert parse_eml(path.read_bytes()).get_content().strip() == "hello"  # type: ignore[attr-defined]

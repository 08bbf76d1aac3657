"""Email: compose from templates in the user's language, deliver off the request path.

``compose()`` renders a text and an HTML body from ``dynamic_api/templates/email/`` with the
strings of ``dynamic_api/translations/<lang>/LC_MESSAGES/messages.po``; ``Mailer.send()``
hands the message to a background thread that delivers it through SMTP (``LMS_SMTP_HOST``)
or, by default, writes it as an ``.eml`` file to ``var/outbox/``.
"""

from dynamic_api.mail.compose import EMAILS, compose, link
from dynamic_api.mail.mailer import Mailer
from dynamic_api.mail.transports import OutboxTransport, SMTPTransport, Transport, transport_for

__all__ = [
    "EMAILS",
    "Mailer",
    "OutboxTransport",
    "SMTPTransport",
    "Transport",
    "compose",
    "link",
    "transport_for",
]

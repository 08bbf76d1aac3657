"""Build an email from its templates, in English or Spanish.

Each email is a pair ``templates/email/<name>.txt`` and ``<name>.html`` (the HTML extends
``base.html``) plus a subject in :data:`EMAILS`. Strings go through gettext: the Spanish ones
are in ``dynamic_api/translations/es/LC_MESSAGES/messages.po``, compiled in memory by
``site_builder.i18n.load_translations`` like the theme's.
"""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from site_builder.i18n import SUPPORTED_LANGUAGES, load_translations
from site_builder.settings import Settings

PACKAGE_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PACKAGE_DIR / "templates" / "email"
TRANSLATIONS_DIR = PACKAGE_DIR / "translations"


def N_(message: str) -> str:
    return message


#: Every email the API sends: template name → subject (translated at send time).
EMAILS: dict[str, str] = {
    "verify_email": N_("Confirm your email address"),
    "change_email": N_("Confirm your new email address"),
    "reset_password": N_("Reset your password"),
    "attempt_request": N_("A student asks for another attempt"),
    "attempt_decision": N_("Your request for another attempt"),
    "masterclass_registration": N_("Your master class registration"),
    "certificate_ready": N_("Your certificate is ready"),
    "payment_receipt": N_("Your payment is confirmed"),
    "payment_refunded": N_("Your payment was refunded"),
}


def language_of(value: str | None) -> str:
    return value if value in SUPPORTED_LANGUAGES else "en"


@lru_cache(maxsize=len(SUPPORTED_LANGUAGES))
def _environment(language: str) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    translations = load_translations(TRANSLATIONS_DIR, language)
    environment.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    return environment


def link(settings: Settings, page: str, token: str) -> str:
    """An absolute link to a page of the static site carrying ``token``."""
    return f"{settings.site_url.rstrip('/')}/{page.strip('/')}/?token={quote(token, safe='')}"


def sender(settings: Settings) -> tuple[str, str]:
    """(display name, address) of ``LMS_SMTP_FROM``; the name defaults to the site's host."""
    [(name, address)] = getaddresses([settings.smtp_from]) or [("", "no-reply@localhost")]
    return name or urlsplit(settings.site_url).hostname or "LMS", address or "no-reply@localhost"


def compose(
    settings: Settings, *, template: str, to: str, name: str, language: str, **context: Any
) -> EmailMessage:
    """A multipart/alternative message (text, then HTML) for ``template``, in ``language``."""
    language = language_of(language)
    environment = _environment(language)
    school, from_address = sender(settings)
    values = {"name": name, "school": school, "site_url": settings.site_url, **context}
    text = environment.get_template(f"{template}.txt").render(values)
    html = environment.get_template(f"{template}.html").render(values, language=language)
    translations = load_translations(TRANSLATIONS_DIR, language)

    message = EmailMessage()
    message["Subject"] = translations.gettext(EMAILS[template])
    message["From"] = Address(display_name=school, addr_spec=from_address)
    message["To"] = Address(display_name=name, addr_spec=to)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=from_address.rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    message["Content-Language"] = language  # after set_content, which drops Content-* headers
    return message

"""Certificate PDFs: a snapshot through a Jinja2 design, printed by WeasyPrint.

Designs are ``certificates/<design>.html`` in the theme folders (see ``designs.py``); labels
go through gettext with the API's catalogs (``dynamic_api/translations``), dates and numbers
through Babel, in the snapshot's language. Fonts come from the theme folders by ``file:``
URL and nothing is fetched from the network (``fetcher.py``), so a PDF looks the same on
every server. Rendering is pure: the caller stores the bytes and serves them again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from dynamic_api.certificates.designs import certificate_dirs, check_design
from dynamic_api.certificates.fetcher import ForbiddenResourceError, OfflineFetcher
from dynamic_api.certificates.snapshot import CertificateKind, CertificateSnapshot
from site_builder.i18n import SUPPORTED_LANGUAGES, load_translations
from site_builder.qr import qr_svg

logger = logging.getLogger(__name__)

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
PageSizeName = Literal["A4", "Letter"]


@dataclass(frozen=True)
class PageSize:
    """A landscape sheet; designs lay out in millimetres from these."""

    name: str
    width_mm: float
    height_mm: float


PAGE_SIZES: dict[str, PageSize] = {
    "A4": PageSize("A4", 297, 210),
    "Letter": PageSize("Letter", 279.4, 215.9),
}


class CertificateRenderError(RuntimeError):
    """The design could not be rendered (a template error, a refused resource)."""


def render_certificate_pdf(
    snapshot: CertificateSnapshot,
    *,
    design: str | None = None,
    theme_dirs: Sequence[Path | str] = (),
    page_size: PageSizeName = "A4",
) -> bytes:
    """The certificate as a landscape PDF; ``design`` defaults to the snapshot's."""
    started = time.perf_counter()
    dirs = certificate_dirs(theme_dirs)
    html = certificate_html(snapshot, design=design, theme_dirs=theme_dirs, page_size=page_size)
    fetcher = OfflineFetcher(dirs)
    try:
        pdf = HTML(string=html, base_url=dirs[0].as_uri() + "/", url_fetcher=fetcher).write_pdf(
            font_config=FontConfiguration()
        )
    except ForbiddenResourceError as exc:
        raise CertificateRenderError(str(exc)) from None
    logger.info(
        "rendered certificate %s (%s, %s) in %.0f ms",
        snapshot.id,
        design or snapshot.design,
        page_size,
        (time.perf_counter() - started) * 1000,
    )
    return pdf


def certificate_html(
    snapshot: CertificateSnapshot,
    *,
    design: str | None = None,
    theme_dirs: Sequence[Path | str] = (),
    page_size: PageSizeName = "A4",
) -> str:
    """The HTML WeasyPrint prints: useful to preview or test a design in a browser."""
    design = check_design(design or snapshot.design, theme_dirs)
    if page_size not in PAGE_SIZES:
        raise ValueError(f"page_size must be one of {', '.join(PAGE_SIZES)}, not {page_size!r}")
    dirs = tuple(certificate_dirs(theme_dirs))
    environment = _environment(dirs, _gettext_language(snapshot.language))
    try:
        template = environment.get_template(f"{design}.html")
        return template.render(template_context(snapshot, design, PAGE_SIZES[page_size], dirs))
    except Exception as exc:  # a school's template: report which design broke, and why
        raise CertificateRenderError(f"certificate design {design!r}: {exc}") from exc


def template_context(
    snapshot: CertificateSnapshot, design: str, page: PageSize, dirs: Sequence[Path]
) -> dict[str, Any]:
    """The variables a design receives (documented in docs/certificates.md)."""
    locale = _locale(snapshot.language)
    hours = snapshot.hours
    return {
        "certificate": snapshot,
        "design": design,
        "page": page,
        "language": snapshot.language,
        "is_program": snapshot.kind is CertificateKind.program,
        "completed_on": format_date(snapshot.completed_on, format="long", locale=locale),
        "expires_on": (
            format_date(snapshot.expires_on, format="long", locale=locale)
            if snapshot.expires_on
            else None
        ),
        "hours": format_decimal(round(hours, 1), locale=locale) if hours is not None else None,
        "hours_count": max(1, round(hours)) if hours is not None else 0,
        "instructors": (
            format_list(list(snapshot.instructors), locale=locale) if snapshot.instructors else ""
        ),
        "courses": format_list(list(snapshot.courses), locale=locale) if snapshot.courses else "",
        "qr_svg": Markup(qr_svg(snapshot.verification_url, snapshot.verification_url)),  # noqa: S704 - qrcode's SVG, label escaped
        "asset_url": lambda name: _asset_url(dirs, name),
    }


def _asset_url(dirs: Sequence[Path], name: str) -> str:
    """A ``file:`` URL of ``name`` in the first certificate folder that has it."""
    for folder in dirs:
        candidate = (folder / name).resolve()
        if candidate.is_relative_to(folder) and candidate.is_file():
            return candidate.as_uri()
    raise FileNotFoundError(f"no certificates/{name} in the theme folders")


def _gettext_language(language: str) -> str:
    primary = language.split("-")[0]
    return primary if primary in SUPPORTED_LANGUAGES else "en"


def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language, sep="-")
    except (ValueError, UnknownLocaleError):
        return Locale.parse(_gettext_language(language))


@lru_cache(maxsize=16)
def _environment(dirs: tuple[Path, ...], language: str) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(dirs),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        auto_reload=True,  # a school editing its design sees the change at the next render
    )
    translations = load_translations(TRANSLATIONS_DIR, language)
    environment.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    environment.filters["date"] = lambda value, fmt="long": format_date(
        value, format=fmt, locale=_locale(language)
    )
    return environment

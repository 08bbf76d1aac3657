"""What every template gets: translations, URL helpers, formatting filters.

Installed on each Pelican generator's Jinja environment (through `generator_init`), so the
blog pages that Pelican renders and the academy pages our generator renders share one
vocabulary.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import (
    format_date,
    format_datetime,
    format_skeleton,
    format_time,
    get_timezone_location,
)
from babel.numbers import format_currency
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup
from slugify import slugify

from ..i18n import load_translations
from ..settings import Settings, get_settings


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


LESSON_TYPES = {
    "text": ("bi-file-text", N_("Reading")),
    "video": ("bi-play-btn", N_("Video")),
    "audio": ("bi-headphones", N_("Audio")),
    "pdf": ("bi-file-earmark-pdf", N_("PDF document")),
    "image": ("bi-image", N_("Image")),
    "download": ("bi-download", N_("Download")),
    "link": ("bi-box-arrow-up-right", N_("External resource")),
    "slides": ("bi-easel", N_("Slides")),
    "evaluation": ("bi-patch-question", N_("Evaluation")),
}
TASK_LABELS = (N_("Done"), N_("To do"))  # accessible names of task-list checkboxes
LEVELS = {
    "beginner": N_("Beginner"),
    "intermediate": N_("Intermediate"),
    "advanced": N_("Advanced"),
}


def lms_settings(settings: dict[str, Any]) -> Settings:
    return settings.get("LMS_SETTINGS") or get_settings()


def install(generator: Any) -> None:
    settings = generator.settings
    lang = settings.get("DEFAULT_LANG", "en")
    lms = lms_settings(settings)
    env = generator.env
    theme = Path(settings["THEME"])
    env.add_extension("jinja2.ext.i18n")
    translations = load_translations(theme / "translations", lang)
    env.install_gettext_translations(translations, newstyle=True)
    env.lms_translations = translations  # for Python code rendering with this environment
    gettext = translations.gettext
    env.globals["_"] = _newstyle_gettext(gettext)
    site = settings.get("SITEURL", "")
    env.globals.update(
        url=lambda path="": f"{site}/{path}",
        asset=lambda path: f"{site}/{settings.get('THEME_STATIC_DIR', 'theme')}/{path}",
        api_base=lms.api_base,
        absolute_site_url=lms.site_url.rstrip("/"),
        live_reload=lms.live_reload,
        lang=lang,
        adsense_client=lms.adsense_client,
        lesson_icon=lambda kind: LESSON_TYPES[str(kind)][0],
        lesson_type_label=lambda kind: gettext(LESSON_TYPES[str(kind)][1]),
        level_label=lambda level: gettext(LEVELS[str(level)]),
        language_name=lambda code: _language_name(code, lang),
        timezone_label=lambda tz: get_timezone_location(_zone(tz), locale=lang),
    )
    env.filters.update(
        money=lambda price: format_money(price, lang),
        minutes=lambda value: format_minutes(value, lang),
        date_long=lambda value: format_date(value, "long", locale=lang) if value else "",
        datetime_long=lambda value, tz="UTC": format_datetime(
            value, "long", tzinfo=_zone(tz), locale=lang
        ),
        date_full=lambda value, tz="UTC": (
            format_date(value.astimezone(_zone(tz)), "full", locale=lang) if value else ""
        ),
        time_short=lambda value, tz="UTC": (
            format_time(value, "short", tzinfo=_zone(tz), locale=lang) if value else ""
        ),
        date_skeleton=lambda value, skeleton, tz="UTC": (
            format_skeleton(skeleton, value, tzinfo=_zone(tz), locale=lang) if value else ""
        ),
        json_script=json_script,
        isoformat=lambda value: value.isoformat() if value else "",
        slugify_tag=lambda tag: slugify(str(tag)),
    )


def _newstyle_gettext(gettext: Any) -> Any:
    """`_()` as Jinja's i18n extension installs it (newstyle), without its context: Jinja
    copies the whole template context for a `pass_context` function called in a loop, and
    the syllabus calls `_()` for every lesson of every lesson page."""

    @pass_eval_context
    def _(eval_ctx: EvalContext, string: str, **variables: Any) -> str:
        rv = gettext(string)
        if eval_ctx.autoescape:
            rv = Markup(rv)  # noqa: S704 - our own catalog, exactly as jinja2.ext does
        return rv % variables  # always a format string, as in jinja2.ext

    return _


def format_money(price: Any, lang: str) -> str:
    if price is None:
        return ""
    return format_currency(Decimal(price.amount), price.currency, locale=lang)


def format_minutes(value: int, lang: str) -> str:
    hours, minutes = divmod(int(value), 60)
    if hours and minutes:
        return f"{hours} h {minutes} min"
    if hours:
        return f"{hours} h"
    return f"{minutes} min"


def json_script(value: Any) -> Markup:
    """JSON safe to put inside `<script type="application/json">` (no `</script>` breakout)."""
    text = json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - escaped above for a script data block


def _zone(name: str) -> dt.tzinfo:
    import zoneinfo

    return zoneinfo.ZoneInfo(name)


def _language_name(code: str, lang: str) -> str:
    """`es` → `Spanish` (or `español` when the site is in Spanish)."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(lang)
    except (UnknownLocaleError, ValueError):
        return code
    return (name or code)[:1].upper() + (name or code)[1:]

"""Translations of the theme's UI strings, compiled from the .po catalogs by Babel at build time.

Compiling in memory means the repository holds only the editable `.po` files, and a
translator's change shows up at the next build without a separate compile step.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

SUPPORTED_LANGUAGES = ("en", "es")


@lru_cache(maxsize=16)
def _compiled(po_path: Path, mtime_ns: int, lang: str) -> bytes:
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def load_translations(translations_dir: Path, lang: str) -> gettext.NullTranslations:
    """The gettext translations for `lang`, or identity for English and unknown languages."""
    po_path = translations_dir / lang / "LC_MESSAGES" / "messages.po"
    if not po_path.is_file():
        return gettext.NullTranslations()
    data = _compiled(po_path, po_path.stat().st_mtime_ns, lang)
    return gettext.GNUTranslations(BytesIO(data))

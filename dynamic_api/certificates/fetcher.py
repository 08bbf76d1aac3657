"""The only way a certificate template can load a file: offline, from the theme folders.

A certificate is rendered on the API server, so a template that pulls a web font or a logo
from the network would make issuing slow, fragile and a tracking leak, and a ``file:`` URL
outside the themes could read server files into a PDF. WeasyPrint asks its ``url_fetcher``
for every stylesheet, font and image; this one serves ``data:`` URLs and files under the
certificate folders, and stops the rendering for anything else.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# Fonts are not in every mimetypes table; WeasyPrint sniffs them anyway, but say it right.
FONT_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}


class ForbiddenResourceError(FatalURLFetchingError):
    """A template asked for a URL that certificates may not load (network, outside themes).

    WeasyPrint lets only :class:`FatalURLFetchingError` escape; ``render_certificate_pdf``
    turns it into a :class:`~dynamic_api.certificates.render.CertificateRenderError`.
    """


class OfflineFetcher(URLFetcher):
    """Serves ``data:`` URLs and files below ``roots``; refuses everything else."""

    def __init__(self, roots: Iterable[Path]) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
        self.roots = [root.resolve() for root in roots]
        self.fetched: list[str] = []  # what a render used: handy in tests and logs

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            logger.warning("certificate template asked for %s: refused (no network)", url)
            raise ForbiddenResourceError(f"certificates render offline; refused {url}")
        path = Path(url2pathname(unquote(urlsplit(url).path))).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            logger.warning("certificate template asked for %s: outside the theme folders", path)
            raise ForbiddenResourceError(f"{path} is outside the certificate folders")
        self.fetched.append(url)
        media_type = FONT_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
        return URLFetcherResponse(
            url, path.read_bytes(), {"Content-Type": media_type or "application/octet-stream"}
        )

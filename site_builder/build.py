"""`lms build`: check the content, run Pelican into a staging folder, swap it into place.

The phases are fixed, like `Pelican.run`: load and check (refuse invalid content before
anything is written), generate into `var/build/` (the site and the private bundle), then
swap both into place. An exception in any phase leaves the previous output untouched.
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from pelican import Pelican
from pelican.settings import read_settings

from .loader import Academy, check_articles, load_academy
from .output import swap_into_place
from .pelican_plugin.generator import LAST_STATS
from .problems import ContentError, Problems
from .settings import Settings
from .validation import check_academy, check_certificate_designs

logger = logging.getLogger(__name__)


@dataclass
class BuildResult:
    output_dir: Path
    private_dir: Path
    academy: Academy
    seconds: float
    pages_rendered: int
    pages_reused: int


def check(settings: Settings) -> tuple[Academy, Problems]:
    """Load everything and run every rule; used by `lms check` and before each build."""
    academy, problems = load_academy(settings.content_dir)
    check_articles(settings.content_dir, problems)
    check_academy(academy, problems)
    check_certificate_designs(academy, [settings.theme], problems)
    return academy, problems


class _ErrorCounter(logging.Handler):
    """Pelican logs some failures (a broken template, an unreadable post) instead of raising."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def build(settings: Settings, *, publish: bool = False) -> BuildResult:
    """Build the site into `settings.output_dir` and the private bundle, or raise."""
    started = time.perf_counter()
    academy, problems = check(settings)
    if problems:
        raise ContentError(problems.sorted(), Path.cwd())
    staging_root = settings.var_dir / "build"
    site_staging = staging_root / "output"
    private_staging = staging_root / "site"
    for folder in (site_staging, private_staging):
        if folder.exists():
            shutil.rmtree(folder)
    site_staging.mkdir(parents=True)
    private_staging.mkdir(parents=True)
    conf = Path("publishconf.py") if publish else settings.pelican_settings
    # URLs come from the settings passed in, not from the process-wide ones the
    # settings files read (a build for another site, a test, `lms serve`).
    urls = {"FEED_DOMAIN": settings.site_url.rstrip("/")}
    if publish:
        urls["SITEURL"] = urls["FEED_DOMAIN"]
    pelican_settings = read_settings(
        str(conf),
        override={
            **urls,
            "PATH": str(settings.content_dir.resolve()),
            "THEME": str(settings.theme.resolve()),
            "OUTPUT_PATH": str(site_staging.resolve()),
            "CACHE_PATH": str((settings.cache_dir / "pelican").resolve()),
            "LMS_SETTINGS": settings,
            "LMS_ACADEMY": academy,
            "LMS_CACHE_DIR": str(settings.cache_dir.resolve()),
            "LMS_PRIVATE_STAGING": str(private_staging.resolve()),
            "LMS_PREVIOUS_OUTPUT": str(settings.output_dir.resolve()),
            "LMS_PREVIOUS_PRIVATE": str(settings.private_bundle_dir.resolve()),
        },
    )
    errors = _ErrorCounter()
    pelican_logger = logging.getLogger("pelican")
    pelican_logger.addHandler(errors)
    try:
        pelican = Pelican(pelican_settings)
        pelican.run()
    finally:
        pelican_logger.removeHandler(errors)
    if errors.messages:
        raise RuntimeError("Pelican reported errors:\n" + "\n".join(errors.messages))
    swap_into_place(site_staging, settings.output_dir)
    swap_into_place(private_staging, settings.private_bundle_dir)
    rendered, reused = LAST_STATS.get("rendered", 0), LAST_STATS.get("reused", 0)
    return BuildResult(
        settings.output_dir,
        settings.private_bundle_dir,
        academy,
        time.perf_counter() - started,
        rendered,
        reused,
    )


__all__ = ["BuildResult", "ContentError", "build", "check"]

"""The Pelican plugin of the platform, enabled in pelicanconf.py with
`PLUGINS = ["site_builder.pelican_plugin"]` (Pelican's namespace-free plugin style).

It connects three things to Pelican's signals: a reader so blog posts and pages use the same
YAML front matter as courses, the Jinja environment every template shares, and the academy
generator.
"""

from __future__ import annotations

from typing import Any

from pelican import signals

from .environment import install
from .generator import AcademyGenerator
from .reader import YamlMarkdownReader


def _add_reader(readers: Any) -> None:
    readers.reader_classes["md"] = YamlMarkdownReader
    readers.reader_classes["markdown"] = YamlMarkdownReader


def _generators(_: Any) -> type[AcademyGenerator]:
    return AcademyGenerator


def register() -> None:
    signals.readers_init.connect(_add_reader)
    signals.generator_init.connect(install)
    signals.get_generators.connect(_generators)


__all__ = ["AcademyGenerator", "YamlMarkdownReader", "register"]

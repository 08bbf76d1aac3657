"""The security proof: nothing secret reaches `output/`, in any file, in any form.

The fixture academy (tests/fixtures/academy/) plants unique marker strings where secrets
live: a gated lesson body, a gated media file, evaluation answer keys and explanations, an
enrolled-only lesson, master-class links, a draft course and a draft post. Every file the
build writes to `output/` is read as bytes and searched. The same markers must be in the
private bundle (or, for drafts, in the sources), so the test fails when a marker is renamed
or the walk reads nothing, instead of passing vacuously.
"""

from __future__ import annotations

import gzip
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lms_support import FIXTURE_ACADEMY, SITE_URL, BuiltSite, iter_files

# marker -> the private-bundle file that must hold it (None: drafts are in no bundle)
SECRETS: dict[str, str | None] = {
    "GATED-BODY-MARKER-7f3a9c": "lessons/paid-course/gated.html",
    "GATED-MEDIA-MARKER-51d2": "media/paid-course/media/gated-media-marker.txt",
    "gated-media-marker": "lessons/paid-course/handout.html",  # the gated file's name
    "ANSWER-KEY-MARKER-c41e": "manifest.json",
    "EXPLANATION-MARKER-d83b": "manifest.json",
    "RUBRIC-MARKER-a61f": "manifest.json",
    "4242.4242": "manifest.json",  # the numeric answer
    "ENROLLED-ONLY-MARKER-9b0d": "lessons/members-course/members-lesson.html",
    "JOIN-LINK-MARKER-e2a7": "manifest.json",
    "RECORDING-MARKER-0c4d": "manifest.json",
    "DRAFT-COURSE-MARKER-3c8e": "manifest.json",  # its title; the API knows drafts exist
    "DRAFT-POST-MARKER-6e1a": None,
}
# Public content that must be in output/: proof that the walk reads what pages show.
PUBLIC = {
    "PUBLIC-BODY-MARKER-8d4c": "courses/open-course/welcome/index.html",
    "PREVIEW-BODY-MARKER-2b7e": "courses/paid-course/preview/index.html",
    "PUBLISHED-POST-MARKER-1f9a": "feeds/atom.xml",
}
# Keys of an answer key: never in public JSON (data blocks, JSON-LD, JSON files).
KEY_FIELDS = {"correct", "accepted", "answer", "tolerance", "rubric", "explanation"}
KEY_FIELD_TEXT = re.compile(
    rb"""["'](?:correct|accepted|answer|tolerance|rubric|explanation)["']\s*:"""
    rb"""|data-(?:correct|accepted|answer)\b"""
)


def _contents(path: Path) -> bytes:
    """A file's bytes, lowercased, decompressed if gzip: what a search must look through."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.lower()


def _where(folder: Path, needle: str) -> list[str]:
    needle_bytes = needle.lower().encode()
    return [
        str(p.relative_to(folder))
        for p in iter_files(folder)
        if needle_bytes in _contents(p) or needle.lower() in str(p.relative_to(folder)).lower()
    ]


@pytest.fixture(scope="module")
def output_files(built_academy: BuiltSite) -> list[Path]:
    files = list(iter_files(built_academy.output))
    assert len(files) > 20, "the build wrote suspiciously few files"
    return files


@pytest.mark.parametrize("marker", sorted(SECRETS))
def test_secret_is_in_no_output_file(built_academy: BuiltSite, marker: str) -> None:
    assert _where(built_academy.output, marker) == []


@pytest.mark.parametrize(("marker", "bundle_file"), [(m, f) for m, f in SECRETS.items() if f])
def test_secret_is_in_the_private_bundle(
    built_academy: BuiltSite, marker: str, bundle_file: str
) -> None:
    path = built_academy.private / bundle_file
    assert path.is_file(), f"private bundle lacks {bundle_file}"
    assert marker.lower().encode() in _contents(path)


@pytest.mark.parametrize("marker", sorted(SECRETS))
def test_every_secret_marker_is_planted_in_the_fixture(marker: str) -> None:
    assert _where(FIXTURE_ACADEMY, marker), f"{marker} is in no fixture file"


@pytest.mark.parametrize(("marker", "page"), sorted(PUBLIC.items()))
def test_public_content_is_in_the_output(built_academy: BuiltSite, marker: str, page: str) -> None:
    assert page in _where(built_academy.output, marker)


def _walk_keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _walk_keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk_keys(item)


JSON_BLOCK = re.compile(
    r'<script[^>]*type="application/(?:ld\+)?json"[^>]*>(.*?)</script>', re.DOTALL
)


def test_no_answer_key_fields_in_public_json(
    built_academy: BuiltSite, output_files: list[Path]
) -> None:
    """Option texts are public (students read them); `correct` flags and keys are not."""
    documents: dict[str, Any] = {}
    for path in output_files:
        name = str(path.relative_to(built_academy.output))
        if path.suffix == ".json":
            documents[name] = json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".html":
            for index, block in enumerate(JSON_BLOCK.findall(path.read_text(encoding="utf-8"))):
                documents[f"{name}#{index}"] = json.loads(block)
    assert any(name.startswith("index.html#") for name in documents), "catalog data not found"
    leaks = {name: KEY_FIELDS & set(_walk_keys(doc)) for name, doc in documents.items()}
    assert {name: keys for name, keys in leaks.items() if keys} == {}


def test_no_answer_key_fields_in_public_markup(
    built_academy: BuiltSite, output_files: list[Path]
) -> None:
    text_files = [p for p in output_files if p.suffix in {".html", ".json", ".xml", ".txt"}]
    found = [
        str(p.relative_to(built_academy.output))
        for p in text_files
        if KEY_FIELD_TEXT.search(p.read_bytes())
    ]
    assert found == []
    # The pattern does find a key where there is one: the private manifest.
    assert KEY_FIELD_TEXT.search((built_academy.private / "manifest.json").read_bytes())


def test_the_draft_course_has_no_page_and_no_mention(built_academy: BuiltSite) -> None:
    assert not (built_academy.output / "courses" / "draft-course").exists()
    assert _where(built_academy.output, "draft-course") == []
    assert (built_academy.settings.content_dir / "courses" / "draft-course").is_dir()


def test_the_gated_lesson_page_is_a_shell(built_academy: BuiltSite) -> None:
    page = built_academy.page("courses/paid-course/gated/index.html")
    assert "Gated lesson" in page
    assert "The details of the gated lesson" not in page
    private = (built_academy.private / "lessons/paid-course/gated.html").read_text()
    assert "The details of the gated lesson" in private


def test_the_enrolled_only_lesson_page_is_a_shell(built_academy: BuiltSite) -> None:
    page = built_academy.page("courses/members-course/members-lesson/index.html")
    assert "Members lesson" in page
    assert "ENROLLED-ONLY" not in page


def test_the_preview_lesson_page_has_its_body(built_academy: BuiltSite) -> None:
    page = built_academy.page("courses/paid-course/preview/index.html")
    assert "PREVIEW-BODY-MARKER-2b7e is visible to everyone." in page
    assert not (built_academy.private / "lessons/paid-course/preview.html").exists()


def test_gated_media_is_not_copied_to_the_site(built_academy: BuiltSite) -> None:
    assert not list(built_academy.output.rglob("gated-media-marker*"))
    # while public media is
    assert (built_academy.output / "courses/open-course/media/diagram.svg").is_file()


def _sitemap_paths(built_academy: BuiltSite) -> set[str]:
    root = ET.fromstring(built_academy.page("sitemap.xml"))
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [loc.text or "" for loc in root.findall("s:url/s:loc", namespace)]
    assert all(loc.startswith(SITE_URL + "/") for loc in locs)
    return {loc.removeprefix(SITE_URL) for loc in locs}


def test_the_sitemap_lists_public_pages_only(built_academy: BuiltSite) -> None:
    paths = _sitemap_paths(built_academy)
    public = {
        "/",
        "/courses/open-course/",
        "/courses/open-course/welcome/",
        "/courses/open-course/quiz/",
        "/courses/paid-course/",
        "/courses/paid-course/preview/",
        "/courses/members-course/",
        "/blog/hello-fixtures/",
        "/about/",
    }
    assert public <= paths
    hidden = {
        "/courses/paid-course/gated/",
        "/courses/paid-course/handout/",
        "/courses/paid-course/deep-dive-a/",
        "/courses/members-course/members-lesson/",
        "/courses/draft-course/",
        "/courses/draft-course/draft-lesson/",
        "/blog/unfinished-post/",
    }
    assert paths & hidden == set()
    assert not any("draft" in p for p in paths)


def test_every_sitemap_url_is_a_page_of_the_site(built_academy: BuiltSite) -> None:
    for path in _sitemap_paths(built_academy):
        assert (built_academy.output / path.lstrip("/") / "index.html").is_file(), path


def test_the_atom_feed_has_the_published_post_and_no_draft(built_academy: BuiltSite) -> None:
    root = ET.fromstring(built_academy.page("feeds/atom.xml"))
    atom = "{http://www.w3.org/2005/Atom}"
    titles = [entry.findtext(f"{atom}title") for entry in root.iter(f"{atom}entry")]
    assert titles == ["Hello fixtures"]
    assert not (built_academy.output / "blog" / "unfinished-post").exists()

"""The PDF of every shipped design: its text, page size, language and embedded fonts."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pypdf
import pytest
from certificate_support import make_snapshot
from fontTools.ttLib import TTFont

from dynamic_api.certificates import (
    DEFAULT_THEME_DIR,
    SHIPPED_DESIGNS,
    CertificateSnapshot,
    render_certificate_pdf,
)

Render = Callable[..., tuple[CertificateSnapshot, bytes]]
REPO_ROOT = Path(__file__).resolve().parents[2]
FONTS_DIR = DEFAULT_THEME_DIR / "certificates" / "fonts"
POINTS_PER_MM = 72 / 25.4
# Landscape sizes in PDF points (width, height).
PAGE_POINTS = {"A4": (297 * POINTS_PER_MM, 210 * POINTS_PER_MM), "Letter": (792.0, 612.0)}


def page_text(pdf: bytes) -> str:
    """The text of the only page, whitespace collapsed (designs wrap long titles)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1, "a certificate is one page"
    return " ".join(reader.pages[0].extract_text().split())


def embedded_fonts(pdf: bytes) -> dict[str, bool]:
    """Base font name (subset prefix removed) → whether its font program is embedded."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    fonts: dict[str, bool] = {}
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        descriptors = [font.get("/FontDescriptor")]
        descriptors += [
            d.get_object().get("/FontDescriptor") for d in font.get("/DescendantFonts", [])
        ]
        embedded = any(
            d is not None
            and any(k in d.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            for d in descriptors
        )
        name = str(font["/BaseFont"]).lstrip("/")
        fonts[re.sub(r"^[A-Z]{6}\+", "", name)] = embedded
    return fonts


def shipped_font_names() -> set[str]:
    """Family and PostScript names of the font files shipped in the default theme."""
    names: set[str] = set()
    for path in FONTS_DIR.iterdir():
        if path.suffix in {".ttf", ".otf"}:
            table = TTFont(path)["name"]
            family, postscript = table.getDebugName(1), table.getDebugName(6)
            names |= {family, postscript, postscript.replace("-Regular", "")}
    return names


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
@pytest.mark.parametrize("design", SHIPPED_DESIGNS)
def test_pdf_holds_name_course_and_id(rendered: Render, design: str, page_size: str) -> None:
    snapshot, pdf = rendered(design, page_size)
    text = page_text(pdf)
    assert snapshot.student_name in text
    assert snapshot.title in text
    assert snapshot.id in text


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
@pytest.mark.parametrize("design", SHIPPED_DESIGNS)
def test_page_is_landscape_and_the_right_size(
    rendered: Render, design: str, page_size: str
) -> None:
    _, pdf = rendered(design, page_size)
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    expected_width, expected_height = PAGE_POINTS[page_size]
    assert page.rotation == 0
    assert width == pytest.approx(expected_width, abs=0.5)
    assert height == pytest.approx(expected_height, abs=0.5)
    assert width > height


@pytest.mark.parametrize("design", SHIPPED_DESIGNS)
def test_spanish_text_and_labels_survive(rendered: Render, design: str) -> None:
    snapshot, pdf = rendered(design, "A4", "es")
    text = page_text(pdf)
    assert "María José Peñalosa Núñez" in text
    assert "Análisis de datos con pandas: ¿qué aprenderás?" in text
    assert "Íñigo Añón y Begoña Ibáñez" in text  # Babel joins the list in Spanish
    assert "14 de marzo de 2026" in text  # and writes the date in Spanish
    assert "Verifica este certificado" in text
    assert "12,5 horas" in text
    assert snapshot.id in text


@pytest.mark.parametrize("design", SHIPPED_DESIGNS)
def test_english_labels(rendered: Render, design: str) -> None:
    _, pdf = rendered(design)
    text = page_text(pdf)
    assert "Priya Raman and Luis Ortega" in text
    assert "March 14, 2026" in text
    assert "12.5 hours" in text
    assert "March 14, 2029" in text  # valid until


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("design", SHIPPED_DESIGNS)
def test_only_the_shipped_fonts_are_used_and_embedded(
    rendered: Render, design: str, language: str
) -> None:
    _, pdf = rendered(design, "A4", language)
    fonts = embedded_fonts(pdf)
    assert fonts, "the PDF uses no font?"
    assert set(fonts) <= shipped_font_names(), f"a system font slipped in: {sorted(fonts)}"
    assert all(fonts.values()), f"not embedded: {[n for n, e in fonts.items() if not e]}"


def test_pdf_metadata_names_the_certificate(rendered: Render) -> None:
    snapshot, pdf = rendered("classic")
    metadata = pypdf.PdfReader(io.BytesIO(pdf)).metadata
    assert metadata is not None
    assert snapshot.student_name in (metadata.title or "")
    assert metadata.author == snapshot.school


def test_program_certificate_lists_its_courses() -> None:
    snapshot = make_snapshot(
        kind="program",
        title="Data Analyst Starter",
        courses=("Python Foundations", "Data Analysis with pandas"),
    )
    for design in SHIPPED_DESIGNS:
        text = page_text(render_certificate_pdf(snapshot, design=design))
        assert "completed the program" in text or "completing the program" in text
        assert "Python Foundations" in text
        assert "Data Analysis with pandas" in text


def test_optional_fields_may_be_empty() -> None:
    """No instructors, hours, expiry or school: every design still renders."""
    snapshot = make_snapshot(instructors=(), hours=None, expires_on=None, school="")
    for design in SHIPPED_DESIGNS:
        text = page_text(render_certificate_pdf(snapshot, design=design, page_size="Letter"))
        assert snapshot.student_name in text
        assert "Valid until" not in text


def test_long_names_and_titles_stay_on_one_page() -> None:
    snapshot = make_snapshot(
        student_name="Maximiliana Constanza de la Santísima Trinidad Fernández-Villaverde",
        title="An Unusually Long Course Title About Statistics, Probability and Data "
        "Visualisation for Working Analysts",
    )
    for design in SHIPPED_DESIGNS:
        for page_size in ("A4", "Letter"):
            pdf = render_certificate_pdf(snapshot, design=design, page_size=page_size)
            assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1, (design, page_size)


def test_shipped_fonts_are_small_and_licensed() -> None:
    font_files = [p for p in FONTS_DIR.iterdir() if p.suffix in {".ttf", ".otf"}]
    assert sum(p.stat().st_size for p in font_files) < 600_000
    families = {TTFont(p)["name"].getDebugName(1) for p in font_files}
    for family in families:
        licence = FONTS_DIR / f"{family}-OFL.txt"
        assert licence.is_file(), f"no licence file for {family}"
        assert "SIL OPEN FONT LICENSE" in licence.read_text(encoding="utf-8")


def test_designs_are_where_the_docs_say() -> None:
    for design in SHIPPED_DESIGNS:
        assert (DEFAULT_THEME_DIR / "certificates" / f"{design}.html").is_file()
    assert "certificates/<name>.html" in (REPO_ROOT / "docs" / "certificates.md").read_text(
        encoding="utf-8"
    )

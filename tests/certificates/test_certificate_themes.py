"""Designs from a school's theme, and rendering that never leaves the machine."""

from __future__ import annotations

import io
import socket
from pathlib import Path

import pypdf
import pytest
from certificate_support import make_snapshot

from dynamic_api.certificates import (
    SHIPPED_DESIGNS,
    CertificateRenderError,
    UnknownDesignError,
    available_designs,
    certificate_html,
    check_design,
    render_certificate_pdf,
)

SCHOOL_DESIGN = """{% extends "_base.html" %}
{% block style %}.sheet { font-family: "Cantarell"; padding: 20mm; }{% endblock %}
{% block sheet %}
<h1>{{ _("Certificate of Completion") }}</h1>
<p class="who">School design for {{ certificate.student_name }}</p>
{{ extra }}
{% endblock %}
"""


def school_theme(root: Path, design: str = "harbor", extra: str = "") -> Path:
    """A theme folder with one certificate design; `extra` is raw HTML put in the body."""
    folder = root / "school-theme" / "certificates"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{design}.html").write_text(
        SCHOOL_DESIGN.replace("{{ extra }}", extra), encoding="utf-8"
    )
    return root / "school-theme"


def text_of(pdf: bytes) -> str:
    return " ".join(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Any connection or name lookup during the test fails and is recorded."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network access during a certificate render")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


@pytest.mark.parametrize("design", SHIPPED_DESIGNS)
def test_shipped_designs_render_without_network(no_network: list[object], design: str) -> None:
    pdf = render_certificate_pdf(make_snapshot(), design=design)
    assert pdf.startswith(b"%PDF")
    assert no_network == []


@pytest.mark.parametrize(
    "reference",
    [
        '<img src="https://cdn.example.com/logo.png" alt="">',
        '<img src="http://cdn.example.com/logo.png" alt="">',
        '<link rel="stylesheet" href="https://fonts.example.com/css?family=Lobster">',
        '<style>@font-face { font-family: X; src: url("https://fonts.example.com/x.woff2"); }'
        "</style>",
    ],
)
def test_remote_resources_are_refused(
    tmp_path: Path, no_network: list[object], reference: str
) -> None:
    theme = school_theme(tmp_path, extra=reference)
    with pytest.raises(CertificateRenderError, match="offline"):
        render_certificate_pdf(make_snapshot(), design="harbor", theme_dirs=[theme])
    assert no_network == []


def test_files_outside_the_theme_folders_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.svg"
    secret.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    theme = school_theme(tmp_path, extra=f'<img src="{secret.as_uri()}" alt="">')
    with pytest.raises(CertificateRenderError, match="outside"):
        render_certificate_pdf(make_snapshot(), design="harbor", theme_dirs=[theme])


def test_a_school_design_can_use_its_own_files(tmp_path: Path) -> None:
    theme = school_theme(
        tmp_path, extra='<img src="{{ asset_url(\'logo.svg\') }}" alt="Harbor" width="40">'
    )
    (theme / "certificates" / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
        '<rect width="10" height="10" fill="navy"/></svg>',
        encoding="utf-8",
    )
    snapshot = make_snapshot(design="harbor")
    pdf = render_certificate_pdf(snapshot, theme_dirs=[theme])
    assert f"School design for {snapshot.student_name}" in text_of(pdf)


def test_school_designs_are_found_first_and_added_to_the_shipped_ones(tmp_path: Path) -> None:
    theme = school_theme(tmp_path, design="classic")  # replaces the shipped classic
    school_theme(tmp_path, design="harbor")
    assert available_designs([theme]) == sorted({*SHIPPED_DESIGNS, "harbor"})
    assert available_designs() == sorted(SHIPPED_DESIGNS)
    html = certificate_html(make_snapshot(), design="classic", theme_dirs=[theme])
    assert "School design for" in html
    assert "School design for" not in certificate_html(make_snapshot(), design="classic")


def test_unknown_design_names_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(UnknownDesignError, match="classic, minimal, modern"):
        check_design("fancy")
    with pytest.raises(UnknownDesignError, match="not a design name"):
        check_design("../../etc/passwd")
    with pytest.raises(UnknownDesignError):
        render_certificate_pdf(make_snapshot(design="_base"))
    assert check_design("harbor", [school_theme(tmp_path)]) == "harbor"


def test_a_broken_school_template_is_a_clear_error(tmp_path: Path) -> None:
    theme = school_theme(tmp_path, extra="{{ certificate.no_such_field }}")
    with pytest.raises(CertificateRenderError, match=r"'harbor'.*no_such_field"):
        render_certificate_pdf(make_snapshot(), design="harbor", theme_dirs=[theme])


def test_unknown_page_size_is_refused() -> None:
    with pytest.raises(ValueError, match="A4, Letter"):
        render_certificate_pdf(make_snapshot(), page_size="A5")  # type: ignore[arg-type]


def test_school_designs_get_translated_labels(tmp_path: Path) -> None:
    theme = school_theme(tmp_path)
    html = certificate_html(make_snapshot(language="es"), design="harbor", theme_dirs=[theme])
    assert "Certificado de finalización" in html
    assert 'lang="es"' in html

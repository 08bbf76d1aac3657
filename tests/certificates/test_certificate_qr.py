"""The QR code printed on each design opens the verification page: decoded for real.

The PDF page is rasterised with PDFium (pypdfium2) and read with ZXing (zxing-cpp), the way
a phone camera would see a printed certificate; no pixel is taken from our own SVG.
"""

from __future__ import annotations

from collections.abc import Callable

import pypdfium2
import pytest
import zxingcpp
from PIL import Image

from dynamic_api.certificates import SHIPPED_DESIGNS, CertificateSnapshot

Render = Callable[..., tuple[CertificateSnapshot, bytes]]


def rasterise(pdf: bytes, dpi: int = 200) -> Image.Image:
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        image = page.render(scale=dpi / 72).to_pil()
        page.close()
        return image.convert("L")
    finally:
        document.close()


def decode_qr_codes(image: Image.Image) -> list[str]:
    return [
        result.text
        for result in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    ]


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
@pytest.mark.parametrize("design", SHIPPED_DESIGNS)
def test_qr_code_decodes_to_the_verification_url(
    rendered: Render, design: str, page_size: str
) -> None:
    snapshot, pdf = rendered(design, page_size)
    assert decode_qr_codes(rasterise(pdf)) == [snapshot.verification_url]


def test_qr_code_survives_a_low_resolution_scan(rendered: Render) -> None:
    """100 dpi, about what a phone resolves from arm's length."""
    snapshot, pdf = rendered("minimal", "Letter")
    assert decode_qr_codes(rasterise(pdf, dpi=100)) == [snapshot.verification_url]

"""One measurement process: import, then time the first render and some warm renders.

Run by the runner as ``python -m benchmarks.certificates.worker DESIGN PAGE_SIZE WARM``;
prints one JSON object. Each process is fresh, so its first render pays every one-time
cost a newly started API worker pays (Jinja2 compiling the design, the catalog compiled,
fonts loaded by WeasyPrint), but not the imports, which a server does at start-up.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time

from dynamic_api.certificates import (
    CertificateSnapshot,
    new_certificate_id,
    render_certificate_pdf,
    verification_url,
)

SITE_URL = "https://learn.example.org"


def snapshot(design: str, number: int) -> CertificateSnapshot:
    """A new certificate each time: nothing about the student can be cached."""
    certificate_id = new_certificate_id()
    return CertificateSnapshot(
        id=certificate_id,
        student_name=f"María José Peñalosa Núñez {number}",
        title="Análisis de datos con pandas",
        kind="course",
        completed_on=dt.date(2026, 3, 14),
        verification_url=verification_url(SITE_URL, certificate_id),
        language="es" if number % 2 else "en",
        design=design,
        instructors=("Priya Raman", "Luis Ortega"),
        hours=12.5,
        expires_on=dt.date(2029, 3, 14),
        school="Open Harbor Academy",
    )


def timed(design: str, page_size: str, number: int) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, PDF size) of one render."""
    item = snapshot(design, number)
    wall, cpu = time.perf_counter(), time.process_time()
    pdf = render_certificate_pdf(item, page_size=page_size)  # type: ignore[arg-type]
    return time.perf_counter() - wall, time.process_time() - cpu, len(pdf)


def main(argv: list[str]) -> int:
    design, page_size, warm = argv[0], argv[1], int(argv[2])
    first_wall, first_cpu, size = timed(design, page_size, 0)
    warm_runs = [timed(design, page_size, number) for number in range(1, warm + 1)]
    print(
        json.dumps(
            {
                "first_wall": first_wall,
                "first_cpu": first_cpu,
                "pdf_bytes": size,
                "warm_wall": [run[0] for run in warm_runs],
                "warm_cpu": [run[1] for run in warm_runs],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Serving a stored certificate PDF again through the API (target: under 20 ms).

A certificate's PDF is printed on its first download and stored in the database; every later
``GET /api/certificates/{id}.pdf`` reads the stored bytes. This measures that path on a real
server: the API (``dynamic_api.app:create_app``) under uvicorn in a subprocess, with the
flags of ``benchmarks/api`` and an SQLite database in a temporary folder holding one
issued certificate. The first GET prints and stores the PDF (its time is logged, not part of
the figure); then ``repeat`` rounds of :data:`REQUESTS_PER_ROUND` sequential GETs on one
keep-alive connection are timed, each checked for status 200, ``application/pdf`` and the
same bytes as the first answer.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import httpx

SERVE_TARGET_SECONDS = 0.020

#: Timed GETs per round (``--repeat`` rounds).
REQUESTS_PER_ROUND = 40

ROOT = Path(__file__).resolve().parents[2]


def log(message: str) -> None:
    print(f"[bench-certificates] {message}", file=sys.stderr, flush=True)


def issue_certificate(database_url: str, site_url: str) -> str:
    """One user and one issued certificate (not printed yet), as completing a course leaves
    them; returns the certificate's public id."""
    from dynamic_api.accounts import create_user
    from dynamic_api.certificates import CertificateSnapshot, new_certificate_id, verification_url
    from dynamic_api.db import create_db_engine, session_scope, utcnow
    from dynamic_api.models import Certificate

    engine = create_db_engine(database_url)
    certificate_id = new_certificate_id()
    snapshot = CertificateSnapshot(
        id=certificate_id,
        student_name="María José Peñalosa Núñez",
        title="Python Foundations",
        kind="course",
        completed_on=dt.date.today(),
        verification_url=verification_url(site_url, certificate_id),
        instructors=("Ana Morales",),
        hours=6.5,
        school="Open Harbor Academy",
    )
    try:
        with session_scope(engine) as session:
            user = create_user(
                session,
                email="bench-certificate@example.com",
                name=snapshot.student_name,
                password_hash="-",
                roles=(),
                verified=True,
            )
            assert user.id is not None
            session.add(
                Certificate(
                    public_id=certificate_id,
                    user_id=user.id,
                    kind="course",
                    subject="python-foundations",
                    snapshot=snapshot.to_dict(),
                    issued_at=utcnow(),
                )
            )
    finally:
        engine.dispose()
    return certificate_id


def measure_serving(repeat: int) -> list[float] | None:
    """Seconds of each timed GET of a stored PDF (``repeat`` rounds of
    :data:`REQUESTS_PER_ROUND`)."""
    from benchmarks.api.runner import bench_env, lms, uvicorn_server

    with tempfile.TemporaryDirectory(prefix="bench-certificates-") as folder:
        tmp = Path(folder)
        env = bench_env(tmp, "")
        site_url = "https://learn.example.org"
        env.update(LMS_THEME=str(ROOT / "themes" / "default"), LMS_SITE_URL=site_url)
        database_url = f"sqlite:///{(tmp / 'var' / 'lms.sqlite3').resolve()}"
        lms(["db", "upgrade"], env, tmp)
        certificate_id = issue_certificate(database_url, site_url)
        path = f"/api/certificates/{certificate_id}.pdf"
        with (
            uvicorn_server(
                "certificates", "dynamic_api.app:create_app", env, tmp, "/api/health"
            ) as server,
            httpx.Client(base_url=server.base, timeout=30) as client,
        ):
            started = time.perf_counter()
            first = client.get(path)
            first_seconds = time.perf_counter() - started
            if first.status_code != 200:
                raise RuntimeError(f"GET {path}: {first.status_code} {first.text[:200]}")
            pdf = first.content
            log(
                f"first download (print + store, {len(pdf) / 1024:.0f} KB): "
                f"{first_seconds * 1000:.0f} ms"
            )
            timings: list[float] = []
            for round_number in range(1, repeat + 1):
                for _ in range(REQUESTS_PER_ROUND):
                    started = time.perf_counter()
                    answer = client.get(path)
                    timings.append(time.perf_counter() - started)
                    if (
                        answer.status_code != 200
                        or answer.headers.get("content-type") != "application/pdf"
                        or answer.content != pdf
                    ):
                        raise RuntimeError(f"GET {path} answered differently: {answer}")
                log(f"serving round {round_number}/{repeat} done")
    return timings

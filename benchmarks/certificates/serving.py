"""Hook: serving a stored certificate PDF again (target: under 20 ms), not measured yet.

The PDF is rendered once when the certificate is issued and stored; ``GET
/api/certificates/{certificate}.pdf`` then only reads the stored bytes. That endpoint does
not exist yet, so :func:`measure_serving` returns None and the runner prints "n/a".

To measure it, the engineer who adds the endpoint replaces the body: create an app with
``dynamic_api.app.create_app`` on a temp var dir, issue one certificate (render and store it),
then time ``repeat`` sequential GETs of its ``.pdf`` URL, each checked for status 200,
``application/pdf`` and the same bytes, and return the list of seconds. A real server
(uvicorn in a subprocess, as ``benchmarks/api`` does) gives the honest figure; an
in-process ``TestClient`` is a cheaper first step.
"""

from __future__ import annotations

SERVE_TARGET_SECONDS = 0.020


def measure_serving(repeat: int) -> list[float] | None:
    """Seconds of each of ``repeat`` GETs of a stored PDF; None while there is no endpoint."""
    del repeat  # used once the endpoint exists (see the module docstring)
    return None

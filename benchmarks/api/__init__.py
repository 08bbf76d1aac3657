"""`python -m benchmarks.api`: GET /api/me against a bare Starlette endpoint (see README.md)."""

"""`python -m benchmarks.certificates`: time to issue a certificate PDF (see README.md)."""

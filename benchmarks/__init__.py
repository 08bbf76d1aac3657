"""Benchmarks of the platform (not part of the installed package): `python -m benchmarks.build`."""

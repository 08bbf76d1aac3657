"""Build benchmark: our `lms build` against plain Pelican on the same Markdown.

Run with `python -m benchmarks.build` (see benchmarks/README.md). Modules:

- `corpus`: the synthetic academy (ours) and the same bodies as Pelican articles (plain);
- `worker`: one build in a fresh process, reporting its timing as JSON;
- `runner`: the orchestration (cold full builds, one-lesson rebuilds, medians, the table).
"""

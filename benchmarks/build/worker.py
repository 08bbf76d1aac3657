"""One build in a fresh process: `python -m benchmarks.build.worker SIDE ... --result FILE`.

The runner starts one of these per measurement, so no module-level state (Jinja template
caches, imported extensions, `lru_cache`s, LAST_STATS) carries from one build to the next or
from one side to the other. Imports of the two code bases happen before the clock starts;
the timed part is exactly `build(settings)` (ours) or `Pelican(read_settings(...)).run()`
(plain). The result (wall and CPU seconds, pages, rendered/reused) is written as JSON to
`--result`. CPU time (`time.process_time`) is reported beside wall time because a shared
machine's other load inflates wall time but hardly the process's own CPU time.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

PLAIN_CONF = Path(__file__).with_name("plain_pelicanconf.py")
REPO = Path(__file__).resolve().parents[2]


def count_pages(output: Path) -> int:
    return sum(1 for _ in output.rglob("*.html")) if output.is_dir() else 0


def run_ours(content: Path, output: Path, var: Path, theme: Path) -> dict[str, Any]:
    import site_builder.pelican_plugin  # noqa: F401 - imported before the clock, like Pelican
    from site_builder.build import build
    from site_builder.settings import Settings

    settings = Settings(
        _env_file=None,
        content_dir=content,
        output_dir=output,
        var_dir=var,
        theme=theme,
        pelican_settings=REPO / "pelicanconf.py",
    )
    started, cpu = time.perf_counter(), time.process_time()
    result = build(settings)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "pages": count_pages(output),
        "rendered": result.pages_rendered,
        "reused": result.pages_reused,
    }


def run_plain(content: Path, output: Path, var: Path, theme: Path) -> dict[str, Any]:
    import pelican
    from pelican import Pelican
    from pelican.settings import read_settings

    theme = Path(pelican.__file__).parent / "themes" / "notmyidea"  # `theme` is ours
    started, cpu = time.perf_counter(), time.process_time()
    settings = read_settings(
        str(PLAIN_CONF),
        override={
            "PATH": str(content.resolve()),
            "OUTPUT_PATH": str(output.resolve()),
            "CACHE_PATH": str((var / "cache" / "pelican").resolve()),
            "THEME": str(theme),
        },
    )
    Pelican(settings).run()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    pages = count_pages(output)
    return {"seconds": seconds, "cpu_seconds": cpu, "pages": pages, "rendered": pages, "reused": 0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.build.worker")
    parser.add_argument("side", choices=["ours", "plain"])
    parser.add_argument("--content", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--var", type=Path, required=True)
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument(
        "--theme", type=Path, default=REPO / "themes" / "default", help="our theme folder"
    )
    parser.add_argument("--profile", type=Path, help="write cProfile stats of the build here")
    args = parser.parse_args(argv)
    # Both sides pay for importing Pelican before the clock starts.
    import pelican.settings  # noqa: F401

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    run = run_ours if args.side == "ours" else run_plain
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    # Pelican prints its "Done: Processed ..." summary on stdout: keep stdout quiet.
    with contextlib.redirect_stdout(io.StringIO()):
        result = run(args.content, args.output, args.var, args.theme)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(str(args.profile))
    args.result.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

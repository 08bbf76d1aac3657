"""`python -m benchmarks.certificates`: how long issuing a certificate PDF takes.

Each repetition starts a fresh worker process (``worker.py``) that imports the project, then
times its first render of a new certificate (the cost an API worker pays for the first
certificate it issues) and a few more renders of new certificates (the steady state).
Figures are medians over the repetitions. See README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from .serving import SERVE_TARGET_SECONDS, measure_serving

ROOT = Path(__file__).resolve().parents[2]
FIRST_RENDER_TARGET_SECONDS = 1.0
DESIGNS = ("classic", "modern", "minimal")


def log(message: str) -> None:
    print(f"[bench-certificates] {message}", file=sys.stderr, flush=True)


def run_worker(design: str, page_size: str, warm: int) -> dict[str, Any]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("LMS_")}
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.certificates.worker", design, page_size, str(warm)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"worker failed for {design}:\n{completed.stderr}")
    return json.loads(completed.stdout)


def measure(designs: list[str], page_size: str, repeat: int, warm: int) -> dict[str, Any]:
    """Interleave the designs (classic, modern, minimal, classic, ...) so load drifts evenly."""
    runs: dict[str, list[dict[str, Any]]] = {design: [] for design in designs}
    for round_number in range(1, repeat + 1):
        for design in designs:
            runs[design].append(run_worker(design, page_size, warm))
        log(f"round {round_number}/{repeat} done")
    report: dict[str, Any] = {"page_size": page_size, "repeat": repeat, "warm": warm, "designs": {}}
    for design, items in runs.items():
        report["designs"][design] = {
            "first_wall_median": statistics.median(r["first_wall"] for r in items),
            "first_cpu_median": statistics.median(r["first_cpu"] for r in items),
            "first_wall_max": max(r["first_wall"] for r in items),
            "warm_wall_median": statistics.median(w for r in items for w in r["warm_wall"])
            if warm
            else None,
            "pdf_bytes": items[0]["pdf_bytes"],
        }
    first = [d["first_wall_median"] for d in report["designs"].values()]
    report["first_render_worst_median"] = max(first)
    report["first_render_target"] = FIRST_RENDER_TARGET_SECONDS
    report["first_render_ok"] = max(first) < FIRST_RENDER_TARGET_SECONDS
    serving = measure_serving(repeat)
    report["serve_median"] = statistics.median(serving) if serving else None
    report["serve_target"] = SERVE_TARGET_SECONDS
    return report


def ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:.0f} ms"


def print_table(report: dict[str, Any]) -> None:
    print(
        f"Certificate PDF, {report['page_size']} landscape: median of {report['repeat']} "
        f"fresh processes ({report['warm']} warm renders each)"
    )
    header = ("design", "first render", "(CPU)", "worst", "warm render", "PDF")
    print("{:<10} {:>13} {:>8} {:>8} {:>12} {:>9}".format(*header))
    for design, row in report["designs"].items():
        print(
            f"{design:<10} {ms(row['first_wall_median']):>13} {ms(row['first_cpu_median']):>8} "
            f"{ms(row['first_wall_max']):>8} {ms(row['warm_wall_median']):>12} "
            f"{row['pdf_bytes'] / 1024:>6.0f} KB"
        )
    verdict = "OK" if report["first_render_ok"] else "MISS"
    print(
        f"first render (worst design's median): {ms(report['first_render_worst_median'])} "
        f"- target < {ms(report['first_render_target'])}: {verdict}"
    )
    serve = report["serve_median"]
    shown = "n/a" if serve is None else f"{serve * 1000:.1f} ms"
    verdict = "" if serve is None else (": OK" if serve < report["serve_target"] else ": MISS")
    print(
        f"serve stored PDF again (median GET through the API): {shown} - target < "
        f"{ms(report['serve_target'])}{verdict}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.certificates")
    parser.add_argument("--repeat", type=int, default=5, help="fresh processes per design")
    parser.add_argument("--warm", type=int, default=5, help="renders after the first, per process")
    parser.add_argument("--design", action="append", choices=DESIGNS, help="default: all")
    parser.add_argument("--page-size", choices=("A4", "Letter"), default="A4")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.warm < 0:
        parser.error("--repeat must be at least 1 and --warm at least 0")
    report = measure(args.design or list(DESIGNS), args.page_size, args.repeat, args.warm)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)
    missed = not report["first_render_ok"] or (
        report["serve_median"] is not None and report["serve_median"] >= SERVE_TARGET_SECONDS
    )
    return 1 if args.strict and missed else 0

"""Orchestration: generate the academy, time cold and one-lesson builds of both sides, report."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .corpus import Corpus, generate

REPO = Path(__file__).resolve().parents[2]
TARGET_FULL_RATIO = 1.25  # ours full / Pelican full
TARGET_REBUILD_RATIO = 0.15  # ours one-lesson rebuild / ours full
ROWS = [
    ("ours_full", "ours full"),
    ("ours_rebuild", "ours one-lesson rebuild"),
    ("plain_full", "plain Pelican full"),
    ("plain_rebuild", "plain Pelican rebuild"),
]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.build",
        description="Time `lms build` against plain Pelican on the same synthetic lessons.",
    )
    parser.add_argument("--courses", type=int, default=50)
    parser.add_argument("--lessons", type=int, default=100, help="lessons per course")
    parser.add_argument("--quick", action="store_true", help="5 courses x 20 lessons")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--workdir", type=Path, help="use this folder (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the generated trees")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="also write cProfile stats of one extra full build and rebuild of ours to DIR",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a target is missed"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.courses, args.lessons = 5, 20
    if args.courses < 1 or args.lessons < 1 or args.repeat < 1:
        parser.error("--courses, --lessons and --repeat must be positive")
    return args


class Side:
    """One side of the comparison: its content tree and its own output and var folders."""

    def __init__(self, name: str, content: Path, base: Path, theme: Path) -> None:
        self.name = name
        self.content = content
        self.theme = theme
        self.output = base / "output"
        self.var = base / "var"

    def clean(self) -> None:
        """Cold start: no previous output, no caches of any kind."""
        for folder in (self.output, self.var):
            if folder.exists():
                shutil.rmtree(folder)
        self.var.mkdir(parents=True)

    def run(self, profile: Path | None = None) -> dict[str, Any]:
        result_file = self.var.parent / "result.json"
        command = [
            sys.executable,
            "-m",
            "benchmarks.build.worker",
            self.name,
            "--content",
            str(self.content),
            "--output",
            str(self.output),
            "--var",
            str(self.var),
            "--result",
            str(result_file),
            "--theme",
            str(self.theme),
        ]
        if profile is not None:
            command += ["--profile", str(profile)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
        env["PYTHONHASHSEED"] = "0"
        started = time.perf_counter()
        done = subprocess.run(
            command, cwd=REPO, env=env, capture_output=True, text=True, check=False
        )
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"{self.name} build failed:\n{done.stderr[-4000:]}")
        result = json.loads(result_file.read_text())
        result["process_seconds"] = wall
        return result


def _check_change(side: Side, corpus: Corpus, revision: int) -> None:
    """The rebuild must show the edited lesson: guards against timing a no-op."""
    lesson = corpus.changed_lesson
    if side.name == "ours":
        page = side.output / "courses" / lesson.course_slug / lesson.lesson_id / "index.html"
        if "gated-lesson" in page.read_text(encoding="utf-8"):  # body in the private bundle
            page = side.var / "site" / "lessons" / lesson.course_slug / f"{lesson.lesson_id}.html"
    else:
        page = side.output / "courses" / f"{lesson.course_slug}-{lesson.lesson_id}" / "index.html"
    if f"Revision {revision}:" not in page.read_text(encoding="utf-8"):
        raise RuntimeError(f"{side.name}: the rebuild did not pick up the change in {page}")


def _check_incremental(name: str, result: dict[str, Any]) -> None:
    """Warn when our rebuild re-rendered most pages: site_builder/ (part of every page's
    fingerprint) changed during the run, and this rebuild measured a full build."""
    if name == "ours" and result["rendered"] > result["pages"] / 2:
        print(
            f"  WARNING: the one-lesson rebuild rendered {result['rendered']} pages: was "
            "site_builder/ edited during the run? Its median may be off; run again.",
            file=sys.stderr,
            flush=True,
        )


def measure(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    load_before = _load()
    started = time.perf_counter()
    corpus = generate(workdir / "content", args.courses, args.lessons, seed=args.seed)
    generated = time.perf_counter() - started
    # A copy of the theme: an edit to themes/default during the run (it is part of every
    # page's fingerprint) would otherwise turn a one-lesson rebuild into a full one.
    theme = workdir / "theme"
    shutil.copytree(REPO / "themes" / "default", theme, ignore=shutil.ignore_patterns(".*"))
    sides = {
        "ours": Side("ours", corpus.ours, workdir / "ours", theme),
        "plain": Side("plain", corpus.plain, workdir / "plain", theme),
    }
    runs: dict[str, list[dict[str, Any]]] = {key: [] for key, _ in ROWS}
    for rep in range(args.repeat):
        order = ["ours", "plain"] if rep % 2 == 0 else ["plain", "ours"]
        for name in order:
            sides[name].clean()
            runs[f"{name}_full"].append(sides[name].run())
            _progress(args, f"run {rep + 1}/{args.repeat}: {name} full", runs[f"{name}_full"][-1])
        revision = rep + 1
        corpus.change_one_lesson(revision)
        for name in reversed(order):
            runs[f"{name}_rebuild"].append(sides[name].run())
            _check_change(sides[name], corpus, revision)
            _check_incremental(name, runs[f"{name}_rebuild"][-1])
            _progress(
                args, f"run {rep + 1}/{args.repeat}: {name} rebuild", runs[f"{name}_rebuild"][-1]
            )
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
        ours = sides["ours"]
        ours.clean()
        ours.run(profile=args.profile / "ours-full.prof")
        corpus.change_one_lesson(args.repeat + 1)
        ours.run(profile=args.profile / "ours-rebuild.prof")
        _progress(args, f"profiles written to {args.profile}", None)
    summary = _summarise(args, corpus, runs, generated)
    summary["config"]["load_average"] = [load_before, _load()]  # 1-min, at start and end
    return summary


def _load() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):  # not on every platform
        return None


def _summarise(
    args: argparse.Namespace,
    corpus: Corpus,
    runs: dict[str, list[dict[str, Any]]],
    generated: float,
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for key, label in ROWS:
        seconds = [r["seconds"] for r in runs[key]]
        cpu = [r["cpu_seconds"] for r in runs[key]]
        median = statistics.median(seconds)
        pages = runs[key][-1]["pages"]
        results[key] = {
            "label": label,
            "pages": pages,
            "rendered": runs[key][-1]["rendered"],
            "reused": runs[key][-1]["reused"],
            "median_seconds": median,
            "min_seconds": min(seconds),
            "max_seconds": max(seconds),
            "median_cpu_seconds": statistics.median(cpu),
            "pages_per_second": pages / median if median else None,
            "seconds": seconds,
            "cpu_seconds": cpu,
            "process_seconds": [r["process_seconds"] for r in runs[key]],
        }

    def ratio(top: str, bottom: str, target: float) -> dict[str, Any]:
        wall = results[top]["median_seconds"] / results[bottom]["median_seconds"]
        cpu = results[top]["median_cpu_seconds"] / results[bottom]["median_cpu_seconds"]
        return {
            "value": wall,
            "cpu_value": cpu,
            "target": target,
            "pass": wall <= target,
            "cpu_pass": cpu <= target,
        }

    return {
        "config": {
            "courses": args.courses,
            "lessons_per_course": args.lessons,
            "lessons": len(corpus.lessons),
            "repeat": args.repeat,
            "seed": args.seed,
            "generate_seconds": generated,
            "python": platform.python_version(),
            "machine": f"{platform.machine()}, {os.cpu_count()} cpus",
        },
        "results": results,
        "ratios": {  # of median wall seconds (the targets); cpu_value: of median CPU seconds
            "ours_full_over_plain_full": ratio("ours_full", "plain_full", TARGET_FULL_RATIO),
            "ours_rebuild_over_ours_full": ratio("ours_rebuild", "ours_full", TARGET_REBUILD_RATIO),
        },
    }


def _progress(args: argparse.Namespace, message: str, result: dict[str, Any] | None) -> None:
    detail = ""
    if result is not None:
        detail = f": {result['seconds']:.2f} s, {result['pages']} pages"
        if result["rendered"] != result["pages"]:
            detail += f" ({result['rendered']} rendered, {result['reused']} reused)"
    print(f"  {message}{detail}", file=sys.stderr, flush=True)


def format_table(summary: dict[str, Any]) -> str:
    config = summary["config"]
    lines = [
        f"{config['courses']} courses x {config['lessons_per_course']} lessons "
        f"= {config['lessons']} lessons; medians of {config['repeat']} runs "
        f"(Python {config['python']}, {config['machine']}; "
        f"load average {config['load_average'][0]} -> {config['load_average'][1]})",
        "",
        f"{'build':<26}{'pages':>7}{'rendered':>10}{'median s':>10}{'min s':>8}"
        f"{'pages/s':>9}{'cpu s':>8}",
    ]
    for key, label in ROWS:
        r = summary["results"][key]
        lines.append(
            f"{label:<26}{r['pages']:>7}{r['rendered']:>10}{r['median_seconds']:>10.2f}"
            f"{r['min_seconds']:>8.2f}{r['pages_per_second']:>9.0f}{r['median_cpu_seconds']:>8.2f}"
        )
    lines.append("")
    names = {
        "ours_full_over_plain_full": "ours full / Pelican full",
        "ours_rebuild_over_ours_full": "ours rebuild / ours full",
    }
    for key, ratio in summary["ratios"].items():
        verdict = "PASS" if ratio["pass"] else "MISS"
        lines.append(
            f"{names[key]:<26}{ratio['value']:>7.3f}   target <= {ratio['target']:.2f}   {verdict}"
            f"   (cpu: {ratio['cpu_value']:.3f} {'PASS' if ratio['cpu_pass'] else 'MISS'})"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.workdir:
        workdir = args.workdir.resolve()
        if workdir.exists():
            shutil.rmtree(workdir)
        workdir.mkdir(parents=True)
    else:
        workdir = Path(tempfile.mkdtemp(prefix="lms-bench-"))
    print(
        f"benchmark: {args.courses} courses x {args.lessons} lessons in {workdir}",
        file=sys.stderr,
        flush=True,
    )
    try:
        summary = measure(args, workdir)
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(format_table(summary))
    missed = not all(r["pass"] for r in summary["ratios"].values())
    return 1 if args.strict and missed else 0

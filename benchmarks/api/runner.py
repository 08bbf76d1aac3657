"""`python -m benchmarks.api`: signed-in ``GET /api/me`` against a bare Starlette endpoint.

Both servers run in their own uvicorn subprocess with the same flags; the load comes from a
third process (``wrk`` when installed, else :mod:`benchmarks.api.loadgen`). Rounds alternate
bare, me, bare, me, ... and each figure is the median of its side's rounds. See README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
COOKIE = "lms_session"
TARGET_RATIO = 0.5

#: The uvicorn flags both servers get; only the app differs.
UVICORN_FLAGS = [
    "--host",
    HOST,
    "--workers",
    "1",
    "--log-level",
    "warning",
    "--no-access-log",
    "--http",
    "h11",
    "--loop",
    "asyncio",
    "--lifespan",
    "on",
]

ME_APP = "dynamic_api.app:create_app"
BARE_APPS = {
    "lambda": "benchmarks.api.apps:bare_app",
    "async": "benchmarks.api.apps:bare_async_app",
}
#: The "complete" scenario's baseline: one INSERT on the same database per request.
BARE_INSERT_APP = "benchmarks.api.apps:bare_insert_app"

#: The demo academy's free course and the lesson the "complete" scenario marks complete.
COMPLETE_COURSE = "python-foundations"
COMPLETE_LESSON = "welcome"


@dataclass(frozen=True)
class Scenario:
    """What the API side is asked, and what the bare side does instead."""

    label: str
    method: str
    path: str
    bare_path: str


SCENARIOS = {
    "me": Scenario("GET /api/me", "GET", "/api/me", "/bare"),
    "complete": Scenario(
        "POST .../complete",
        "POST",
        f"/api/courses/{COMPLETE_COURSE}/lessons/{COMPLETE_LESSON}/complete",
        "/bare-insert",
    ),
    # Every request a write: complete, un-complete, complete, ... (the bare side inserts).
    "complete-toggle": Scenario(
        "POST/DELETE .../complete",
        "POST,DELETE",
        f"/api/courses/{COMPLETE_COURSE}/lessons/{COMPLETE_LESSON}/complete",
        "/bare-insert",
    ),
}


def log(message: str) -> None:
    print(f"[bench-api] {message}", file=sys.stderr, flush=True)


class BenchError(RuntimeError):
    """The benchmark could not measure what it claims to (setup failed, wrong answers)."""


# --- servers -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process (all its threads), from /proc; None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime (fields 14 and 15)


@dataclass
class Server:
    name: str
    app: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def pinned(cpus: set[int] | None) -> Callable[[], None] | None:
    """A ``preexec_fn`` that keeps the child (and every thread it starts) on ``cpus``."""
    if not cpus:
        return None

    def pin() -> None:
        os.sched_setaffinity(0, cpus)

    return pin


@contextmanager
def uvicorn_server(
    name: str,
    app: str,
    env: dict[str, str],
    cwd: Path,
    ready_path: str,
    cpus: set[int] | None = None,
) -> Iterator[Server]:
    """``python -m uvicorn --factory APP`` with :data:`UVICORN_FLAGS`; stopped on exit."""
    port = free_port()
    log_path = cwd / f"{name}-server.log"
    command = [sys.executable, "-m", "uvicorn", "--factory", app, "--port", str(port)]
    command += UVICORN_FLAGS
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            preexec_fn=pinned(cpus),
        )
    server = Server(name, app, port, process, log_path)
    try:
        wait_ready(server, ready_path)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def wait_ready(server: Server, path: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(f"the {server.name} server exited:\n{server.log_tail()}")
        with suppress(httpx.HTTPError):
            httpx.get(server.base + path, timeout=2)  # any answer: it is listening
            return
        time.sleep(0.1)
    raise BenchError(f"the {server.name} server did not answer within {timeout:.0f} s")


# --- load --------------------------------------------------------------------------------

WRK_SCRIPT = """\
-- Written by benchmarks/api/runner.py: a safety cap of %(limit)d answers; report as JSON.
-- (The round's length is wrk's -d: wrk times a run by -d, so the cap must never be hit.)
%(headers)s
local methods = {%(methods)s}
local turn = 0
function request()
  turn = turn + 1
  return wrk.format(methods[(turn - 1) %% #methods + 1])
end
local limit = %(limit)d
local count = 0
function response(status, headers, body)
  count = count + 1
  if count >= limit then wrk.thread:stop() end
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %%d, "duration_us": %%d, "errors": %%d, "non_2xx": %%d, ' ..
    '"p50_us": %%d, "p99_us": %%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50.0), latency:percentile(99.0)))
end
"""


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_wrk(
    url: str,
    headers: dict[str, str],
    seconds: int,
    cap: int,
    concurrency: int,
    tmp: Path,
    cpus: set[int] | None = None,
    method: str = "GET",
) -> dict[str, Any]:
    script = tmp / "bench.lua"
    script.write_text(
        WRK_SCRIPT
        % {
            "methods": ", ".join(_lua_string(m) for m in method.split(",")),
            "limit": cap,
            "headers": "\n".join(
                f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()
            ),
        }
    )
    command = ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s"]
    command += ["--timeout", "10s", "-s", str(script), url]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=False,
        preexec_fn=pinned(cpus),
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise BenchError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    if raw["requests"] >= cap:
        raise BenchError(f"wrk reached the cap of {cap} requests: raise --max-requests")
    elapsed = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "seconds": elapsed,
        "rps": raw["requests"] / elapsed if elapsed else 0.0,
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "errors": raw["errors"],
        "non_200": raw["non_2xx"],
    }


def run_python(
    url: str,
    headers: dict[str, str],
    seconds: int,
    cap: int,
    concurrency: int,
    cpus: set[int] | None = None,
    method: str = "GET",
) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.api.loadgen", "--url", url, "--method", method]
    command += ["--requests", str(cap), "--concurrency", str(concurrency)]
    command += ["--max-seconds", str(seconds)]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=False,
        cwd=ROOT,
        preexec_fn=pinned(cpus),
    )
    if done.returncode != 0:
        raise BenchError(f"the load generator failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@dataclass
class Load:
    tool: str  # "wrk" or "python"
    cap: int
    concurrency: int
    tmp: Path
    cpus: set[int] | None = None  # the load generator's, with --pin

    method: str = "GET"  # POST for the "complete" scenario (no body)

    def run(self, server: Server, path: str, headers: dict[str, str], seconds: int) -> dict:
        """One closed-loop run of ``seconds`` (and at most ``cap`` requests)."""
        url = server.base + path
        before = cpu_seconds(server.process.pid)
        if self.tool == "wrk":
            result = run_wrk(
                url,
                headers,
                seconds,
                self.cap,
                self.concurrency,
                self.tmp,
                self.cpus,
                self.method,
            )
        else:
            result = run_python(
                url, headers, seconds, self.cap, self.concurrency, self.cpus, self.method
            )
        after = cpu_seconds(server.process.pid)
        if before is not None and after is not None and result["requests"]:
            result["server_cpu_us_per_req"] = (after - before) / result["requests"] * 1e6
        if result["errors"] or result["non_200"]:
            raise BenchError(
                f"{server.name}: {result['errors']} errors and {result['non_200']} non-200 "
                f"answers in one round; not measuring a failing server:\n{server.log_tail()}"
            )
        return result


# --- the benchmark -----------------------------------------------------------------------


@dataclass
class Side:
    name: str
    rounds: list[dict[str, Any]] = field(default_factory=list)

    def median(self, key: str) -> float | None:
        values = [r[key] for r in self.rounds if r.get(key) is not None]
        return statistics.median(values) if values else None

    def summary(self) -> dict[str, Any]:
        return {
            "rps": self.median("rps"),
            "p50_ms": self.median("p50_ms"),
            "p99_ms": self.median("p99_ms"),
            "server_cpu_us_per_req": self.median("server_cpu_us_per_req"),
            "rounds": self.rounds,
        }


def bench_env(tmp: Path, database_url: str) -> dict[str, str]:
    """The servers' and CLI's environment: no LMS_* of the caller, no .env (cwd is tmp)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(
        LMS_ENV="production",
        LMS_SECRET_KEY=secrets.token_urlsafe(48),
        LMS_VAR_DIR=str(tmp / "var"),
        PYTHONPATH=os.pathsep.join(p for p in [str(ROOT), env.get("PYTHONPATH", "")] if p),
        PYTHONDONTWRITEBYTECODE="1",
    )
    if database_url:
        env["LMS_DATABASE_URL"] = database_url
    return env


def lms(args: list[str], env: dict[str, str], cwd: Path) -> None:
    """Run the project's CLI (``lms ...``) in a subprocess."""
    command = [sys.executable, "-m", "site_builder.cli", *args]
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if done.returncode != 0:
        shown = " ".join("***" if a == args[-1] and "--password" in args else a for a in args)
        raise BenchError(f"lms {shown} failed:\n{done.stdout}{done.stderr}")


def publish_demo(env: dict[str, str], tmp: Path) -> None:
    """Build the demo academy into the temp folder and publish it to the benchmark's
    database (the "complete" scenario needs a course to enroll in)."""
    build_env = {
        **env,
        "LMS_CONTENT_DIR": str(ROOT / "content"),
        "LMS_OUTPUT_DIR": str(tmp / "output"),
        "LMS_THEME": str(ROOT / "themes" / "default"),
        "LMS_PELICAN_SETTINGS": str(ROOT / "pelicanconf.py"),
    }
    lms(["build"], build_env, ROOT)
    lms(["publish"], build_env, ROOT)


def enroll(server: Server, cookie: dict[str, str]) -> None:
    answer = httpx.post(
        f"{server.base}/api/courses/{COMPLETE_COURSE}/enroll",
        json={"mode": "free"},
        headers=cookie,
        timeout=30,
    )
    if answer.status_code not in (200, 201):
        raise BenchError(f"enroll answered {answer.status_code}: {answer.text}")


def sign_in(server: Server, email: str, password: str) -> str:
    """Log in through the API; return the ``lms_session`` cookie's value."""
    answer = httpx.post(
        server.base + "/api/auth/login", json={"email": email, "password": password}, timeout=60
    )
    if answer.status_code != 200:
        raise BenchError(f"login answered {answer.status_code}: {answer.text}")
    for value in answer.headers.get_list("set-cookie"):
        if value.startswith(f"{COOKIE}="):
            token = value.split(";", 1)[0].split("=", 1)[1]
            if token:
                return token
    raise BenchError("login set no session cookie")


def delete_user(database_url: str, email: str) -> None:
    """Remove the benchmark's user from a server database (sessions and roles cascade)."""
    import sqlalchemy as sa

    from dynamic_api.db import create_db_engine

    engine = create_db_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM users WHERE email = :email"), {"email": email})
    finally:
        engine.dispose()


def run(args: argparse.Namespace) -> dict[str, Any]:
    tool = args.loadgen
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "python"
    if tool == "wrk" and not shutil.which("wrk"):
        raise BenchError("wrk is not installed (apt-get install wrk), use --loadgen python")
    server_cpus = load_cpus = None
    if args.pin:
        available = sorted(os.sched_getaffinity(0))
        if len(available) < 2:
            raise BenchError("--pin needs at least two CPUs")
        server_cpus, load_cpus = {available[-1]}, set(available[:-1])
    tmp = Path(tempfile.mkdtemp(prefix="lms-bench-api-"))
    env = bench_env(tmp, args.database_url)
    email = f"bench-{secrets.token_hex(5)}@example.com"
    password = f"bench-{secrets.token_urlsafe(18)}"
    created = False
    load_avg_start = os.getloadavg()
    started = time.monotonic()
    try:
        log(f"temp dir {tmp}; database {'SQLite (temp)' if not args.database_url else 'server'}")
        lms(["db", "upgrade"], env, tmp)
        lms(
            ["user", "create", "--email", email, "--name", "Benchmark User", "--verified",
             "--password", password],
            env,
            tmp,
        )  # fmt: skip
        created = True
        scenario = SCENARIOS[args.scenario]
        if args.scenario != "me":
            log("building and publishing the demo academy")
            publish_demo(env, tmp)
        with uvicorn_server("me", ME_APP, env, tmp, "/api/health", server_cpus) as me:
            token = sign_in(me, email, password)
            cookie = {"Cookie": f"{COOKIE}={token}"}
            if args.scenario != "me":
                enroll(me, cookie)
            first_method = scenario.method.split(",")[0]
            check = httpx.request(first_method, me.base + scenario.path, headers=cookie, timeout=30)
            if check.status_code != 200 or (
                args.scenario == "me" and check.json().get("email") != email
            ):
                raise BenchError(f"{scenario.label} answered {check.status_code}: {check.text}")
            payload = tmp / "bare_payload.json"
            payload.write_bytes(check.content)
            bare_env = {**env, "BENCH_BARE_PAYLOAD": str(payload)}
            bare_app = BARE_APPS[args.bare] if args.scenario == "me" else BARE_INSERT_APP
            with uvicorn_server(
                "bare", bare_app, bare_env, tmp, scenario.bare_path, server_cpus
            ) as bare:
                baseline = httpx.request(first_method, bare.base + scenario.bare_path, timeout=30)
                if baseline.status_code != 200 or baseline.json() != check.json():
                    raise BenchError(f"{scenario.bare_path} answered {baseline.status_code}")
                sizes = {"bare": len(baseline.content), "me": len(check.content)}
                load = Load(
                    tool, args.max_requests, args.concurrency, tmp, load_cpus, scenario.method
                )
                plan = [(bare, scenario.bare_path, {}), (me, scenario.path, cookie)]
                log(f"warm-up: {args.warmup} s each ({tool}, c={args.concurrency})")
                for server, path, headers in plan:
                    load.run(server, path, headers, args.warmup)
                sides = {"bare": Side("bare"), "me": Side("me")}
                for number in range(1, args.rounds + 1):
                    for server, path, headers in plan:
                        result = load.run(server, path, headers, args.duration)
                        sides[server.name].rounds.append(result)
                        log(
                            f"round {number}/{args.rounds} {server.name:4}: "
                            f"{result['rps']:8.0f} rps  p50 {result['p50_ms']:6.2f} ms  "
                            f"p99 {result['p99_ms']:6.2f} ms"
                        )
                # The session still works, and signing out ends it at once in this process.
                if httpx.get(me.base + "/api/me", headers=cookie, timeout=30).status_code != 200:
                    raise BenchError("the session stopped working during the benchmark")
                out = httpx.post(me.base + "/api/auth/logout", json={}, headers=cookie, timeout=30)
                after = httpx.get(me.base + "/api/me", headers=cookie, timeout=30)
                revoked = out.status_code == 204 and after.status_code == 401
                if not revoked:
                    raise BenchError(f"after logout GET /api/me answered {after.status_code}")
    finally:
        if created and args.database_url:
            try:
                delete_user(args.database_url, email)
                log(f"deleted the benchmark user {email} (its sessions and roles cascade)")
            except Exception as exc:  # report, but do not hide the benchmark's own error
                log(f"could not delete the benchmark user {email}: {exc}")
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    bare_s, me_s = sides["bare"].summary(), sides["me"].summary()
    ratio = me_s["rps"] / bare_s["rps"] if bare_s["rps"] else 0.0
    paired = statistics.median(
        m["rps"] / b["rps"] for b, m in zip(sides["bare"].rounds, sides["me"].rounds, strict=True)
    )
    backend = "sqlite" if not args.database_url else args.database_url.split(":", 1)[0]
    return {
        "config": {
            "scenario": args.scenario,
            "label": SCENARIOS[args.scenario].label,
            "database": backend,
            "loadgen": tool,
            "concurrency": args.concurrency,
            "seconds_per_round": args.duration,
            "max_requests_per_round": args.max_requests,
            "rounds": args.rounds,
            "warmup_seconds": args.warmup,
            "bare": args.bare if args.scenario == "me" else "insert",
            "pinned": {"servers": sorted(server_cpus), "load": sorted(load_cpus)}
            if server_cpus and load_cpus
            else None,
            "server": "uvicorn " + " ".join(UVICORN_FLAGS),
            "body_bytes": sizes,
        },
        "machine": {
            "cpus": os.cpu_count(),
            "loadavg_start": load_avg_start[0],
            "loadavg_end": os.getloadavg()[0],
            "wall_seconds": time.monotonic() - started,
        },
        "bare": bare_s,
        "me": me_s,
        "ratio": ratio,
        "ratio_paired_median": paired,
        "target": TARGET_RATIO,
        "verdict": "PASS" if ratio >= TARGET_RATIO else "MISS",
        "revocation_immediate": revoked,
    }


def _fmt(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def table(report: dict[str, Any]) -> str:
    config, machine = report["config"], report["machine"]
    lines = [
        f"{config['label']} (signed in, {config['database']}) vs bare Starlette "
        f"({config['bare']}), uvicorn h11/asyncio 1 worker"
        f"{' pinned to CPU ' + str(config['pinned']['servers'][0]) if config['pinned'] else ''}"
        f", {config['loadgen']} "
        f"c={config['concurrency']}, {config['seconds_per_round']} s/round, "
        f"median of {config['rounds']} rounds",
        "",
        f"| {'server':<9} | {'rps':>8} | {'p50 ms':>7} | {'p99 ms':>7} | {'CPU us/req':>10} |",
        f"| {'-' * 9} | {'-' * 8}:| {'-' * 7}:| {'-' * 7}:| {'-' * 10}:|",
    ]
    api_label = {"me": "/api/me", "complete": "complete"}.get(config["scenario"], "toggle")
    for key, label in (("bare", "bare"), ("me", api_label)):
        side = report[key]
        lines.append(
            f"| {label:<9} | {_fmt(side['rps'], 0):>8} | {_fmt(side['p50_ms'], 2):>7} | "
            f"{_fmt(side['p99_ms'], 2):>7} | {_fmt(side['server_cpu_us_per_req'], 0):>10} |"
        )
    lines += [
        "",
        f"rps(me)/rps(bare) = {report['ratio']:.2f} (paired rounds: "
        f"{report['ratio_paired_median']:.2f}); target >= {report['target']:.2f}: "
        f"{report['verdict']}",
        f"bodies: bare {config['body_bytes']['bare']} B, me {config['body_bytes']['me']} B; "
        f"load average {machine['loadavg_start']:.1f} -> {machine['loadavg_end']:.1f} on "
        f"{machine['cpus']} CPUs; logout revoked the session at once: "
        f"{'yes' if report['revocation_immediate'] else 'NO'}",
    ]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.api",
        description="Requests per second and p50/p99 latency of a signed-in GET /api/me "
        "against a bare Starlette endpoint, same server settings, same run.",
    )
    parser.add_argument(
        "--scenario",
        choices=sorted(SCENARIOS),
        default="me",
        help="me: signed-in GET /api/me vs a bare endpoint (issue 3); complete: signed-in "
        "POST .../lessons/{lesson}/complete (a repeat after the first) vs a bare endpoint doing "
        "one INSERT on the same database (issue 4); complete-toggle: the same, alternating "
        "POST and DELETE so that every request writes",
    )
    parser.add_argument("--rounds", type=int, default=5, help="rounds per side (default 5)")
    parser.add_argument(
        "--duration", type=int, default=5, help="seconds of load per round (default 5)"
    )
    parser.add_argument(
        "--max-requests",
        type=int,
        default=200_000,
        help="hard cap of requests per round (default 200000; a round that reaches it "
        "fails with wrk, whose timing assumes the full --duration)",
    )
    parser.add_argument(
        "--warmup", type=int, default=2, help="seconds of warm-up per side (default 2)"
    )
    parser.add_argument("--concurrency", type=int, default=16, help="open connections (default 16)")
    parser.add_argument(
        "--loadgen",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="wrk if installed (auto), or the asyncio generator benchmarks/api/loadgen.py",
    )
    parser.add_argument(
        "--bare",
        choices=sorted(BARE_APPS),
        default="lambda",
        help="baseline endpoint: the issue's sync lambda (thread pool) or an async def",
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="a server database (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test); "
        "migrated to head with `lms db upgrade`; the benchmark's user is deleted afterwards. "
        "Default: a fresh SQLite file in a temp var dir",
    )
    parser.add_argument(
        "--pin",
        action="store_true",
        help="pin both servers to the last CPU and the load generator to the others "
        "(Linux); steadier figures on a shared machine",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, database)")
    args = parser.parse_args(argv)
    for name in ("duration", "max_requests", "warmup", "concurrency"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.rounds < 3:
        parser.error("--rounds must be at least 3 (the medians need them)")
    if args.duration > 120:
        parser.error("--duration is at most 120 seconds")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        report = run(args)
    except (BenchError, subprocess.TimeoutExpired) as exc:
        log(f"failed: {exc}")
        return 2
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(table(report))
    return 1 if args.strict and report["verdict"] == "MISS" else 0

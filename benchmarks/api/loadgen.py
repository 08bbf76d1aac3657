"""A small closed-loop HTTP/1.1 load generator, for machines without ``wrk``.

Run in its own process by the runner::

    python -m benchmarks.api.loadgen --url http://127.0.0.1:PORT/path --requests 5000 \
        --concurrency 16 --max-seconds 30 [--header 'Cookie: lms_session=...']

``--concurrency`` keep-alive connections each send one request (GET, or POST with no
body), read the whole answer, and send the next, until ``--requests`` answers have been
read or ``--max-seconds`` have passed (both bounds always apply). Raw asyncio streams
rather than an HTTP client library: the client must cost as little CPU as possible, since
it shares the machine with the server.

Prints one JSON object: requests, seconds, rps, p50_ms, p99_ms, errors, non_200.
Loopback only: any other host is refused.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import math
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

#: Seconds to wait for one answer before counting a timeout.
READ_TIMEOUT = 10.0


@dataclass
class State:
    remaining: int
    deadline: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    non_200: int = 0


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of already-sorted values (0.0 when there are none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), math.ceil(fraction * len(sorted_values))))
    return sorted_values[rank - 1]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def _read_answer(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = None
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
            break
    if length is None:
        raise ValueError("answer without Content-Length")
    if length:
        await reader.readexactly(length)
    return status


async def _connection(host: str, port: int, requests: list[bytes], state: State) -> None:
    """Send the ``requests`` in turn (one method, or alternating ones) on one connection."""
    reader = writer = None
    turn = 0
    try:
        while state.remaining > 0 and time.perf_counter() < state.deadline:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            assert reader is not None
            state.remaining -= 1
            started = time.perf_counter()
            request = requests[turn % len(requests)]
            turn += 1
            try:
                writer.write(request)
                status = await asyncio.wait_for(_read_answer(reader), READ_TIMEOUT)
            except (OSError, ValueError, asyncio.IncompleteReadError, TimeoutError):
                state.errors += 1
                writer.close()
                reader = writer = None
                continue
            state.latencies.append(time.perf_counter() - started)
            if status != 200:
                state.non_200 += 1
    finally:
        if writer is not None:
            writer.close()


async def run(
    url: str,
    headers: list[str],
    requests: int,
    concurrency: int,
    max_seconds: float,
    method: str = "GET",
) -> dict[str, float | int]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme != "http" or not is_loopback(host):
        raise SystemExit(f"refusing {url}: only http:// on a loopback address")
    port = parts.port or 80
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    requests_bytes = []
    for verb in method.split(","):
        lines = [f"{verb} {target} HTTP/1.1", f"Host: {parts.netloc}", *headers]
        if verb != "GET":
            lines.append("Content-Length: 0")
        lines += ["", ""]
        requests_bytes.append("\r\n".join(lines).encode("latin-1"))
    started = time.perf_counter()
    state = State(remaining=requests, deadline=started + max_seconds)
    await asyncio.gather(
        *(_connection(host, port, requests_bytes, state) for _ in range(max(1, concurrency)))
    )
    seconds = time.perf_counter() - started
    latencies = sorted(state.latencies)
    done = len(latencies)
    return {
        "requests": done,
        "seconds": seconds,
        "rps": done / seconds if seconds > 0 else 0.0,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "errors": state.errors,
        "non_200": state.non_200,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument(
        "--method", default="GET", help="GET, POST, DELETE, or a comma list to alternate"
    )
    parser.add_argument("--header", action="append", default=[], help="'Name: value'")
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--max-seconds", type=float, default=30.0)
    args = parser.parse_args(argv)
    result = asyncio.run(
        run(args.url, args.header, args.requests, args.concurrency, args.max_seconds, args.method)
    )
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

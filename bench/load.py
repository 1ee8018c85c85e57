"""A load generator for the HTTP benchmarks: prepared POSTs over a few keep-alive connections.

One asyncio loop on raw sockets: it shares the two cores with gunicorn and PostgreSQL, and a
thread per connection with a full HTTP client cost several times more CPU per request than the
server's own work (docs/benchmarks.md, "Webhook ingest under load").
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit


def raw_request(url: str, body: bytes, headers: dict[str, str]) -> bytes:
    """One HTTP/1.1 POST as bytes, built before the clock starts."""
    address = urlsplit(url)
    lines = [f"POST {address.path} HTTP/1.1", f"Host: {address.netloc}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _connection(host, port, requests, expected, latencies, failures) -> None:
    """Posts one request after another on one connection, opened again whenever the server
    closes it (it answers `Connection: close` when it will not keep it)."""
    reader = writer = None
    for request in requests:
        began = time.perf_counter()
        if writer is None:
            reader, writer = await asyncio.open_connection(host, port)
        writer.write(request)
        status = int((await reader.readline()).split()[1])
        length, close = 0, False
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection":
                close = value == b"close"
        answer = await reader.readexactly(length)
        latencies.append((time.perf_counter() - began) * 1000)
        if status != expected:
            failures.append(f"{status} {answer[:120]!r}")
        if close:
            writer.close()
            await writer.wait_closed()
            reader = writer = None
    if writer is not None:
        writer.close()
        await writer.wait_closed()


def post_all(
    url: str, requests: list[bytes], connections: int, expected: int
) -> tuple[float, list[float]]:
    """Seconds taken to post every request over `connections` connections, and each request's
    latency (ms). Raises when any answer's status is not `expected`."""
    address = urlsplit(url)
    latencies: list[float] = []
    failures: list[str] = []

    async def all_connections() -> float:
        began = time.perf_counter()
        await asyncio.gather(
            *(
                _connection(
                    address.hostname,
                    address.port,
                    requests[n::connections],
                    expected,
                    latencies,
                    failures,
                )
                for n in range(connections)
            )
        )
        return time.perf_counter() - began

    elapsed = asyncio.run(all_connections())
    if failures:
        raise RuntimeError(f"{len(failures)} of {len(requests)} requests failed: {failures[0]}")
    return elapsed, latencies


@contextmanager
def connection_spread(port: int, after: float = 1.0) -> Iterator[list[int]]:
    """How many established connections each server process on `port` holds, largest first,
    sampled with `ss` once, `after` seconds into the block (empty if it ended sooner). With
    keep-alive connections this decides how the load falls on gunicorn's workers."""
    spread: list[int] = []

    def sample() -> None:
        try:
            listing = subprocess.run(  # noqa: S603 - fixed arguments
                ["ss", "-tnpH", "state", "established", f"( sport = :{port} )"],  # noqa: S607
                capture_output=True,
                text=True,
                check=False,
            ).stdout
        except OSError:
            return
        spread.extend(sorted(Counter(re.findall(r"pid=(\d+)", listing)).values(), reverse=True))

    timer = threading.Timer(after, sample)
    timer.start()
    try:
        yield spread
    finally:
        timer.cancel()

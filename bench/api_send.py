"""The REST API under load: `POST /api/v1/messages/text` from 8 connections to gunicorn.

    .venv/bin/python -m bench.api_send [--quick] [--messages N]

Real parts on loopback: a PostgreSQL database made for the run, Redis (the shared cache that
counts each key's rate limit, and the task broker the queue's pump is woken through) and
gunicorn with 2 workers, as deployed. No worker runs, so every message stays queued: this
measures taking a message in, not sending it. The load generator keeps 8 requests in flight
on 8 keep-alive connections over raw sockets (cheaper than an HTTP client on the two cores it
shares with the server), as an integrator's HTTP client would keep its connections.
The baseline, in the same run: the same number of messages queued by calling
`instances.outbound.enqueue` in this process, one transaction each, as the API does.
`--quick`: 1,000 messages per way instead of 5,000.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/7")
os.environ.setdefault("Q_BROKER", "redis")

from bench import stack  # after the environment above, which its settings read
from bench.stack import bench_database, free_port

CONNECTIONS = 8
TARGET_RATE = 500
TARGET_P95_MS = 50
CHAT = "+4915123456789"


def http_request(port: int, token: str, body: bytes) -> bytes:
    head = (
        "POST /api/v1/messages/text HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        f"X-API-Key: {token}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def answer(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """Status, body, and whether the server keeps the connection open."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    headers = dict(line.lower().split(b": ", 1) for line in lines[1:] if b": " in line)
    body = await reader.readexactly(int(headers[b"content-length"]))
    return int(lines[0].split(b" ", 2)[1]), body, headers.get(b"connection") != b"close"


async def load(port: int, requests: list[bytes]) -> tuple[float, list[float], list[str]]:
    """Requests per second, each one's latency (ms) and the refused ones: CONNECTIONS keep-alive
    connections, each sending its next request when the last is answered."""
    pending = iter(requests)
    latencies: list[float] = []
    refused: list[str] = []

    async def connection() -> None:
        reader = writer = None
        for raw in pending:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            began = time.perf_counter()
            writer.write(raw)
            status, body, kept = await answer(reader)
            latencies.append((time.perf_counter() - began) * 1000)
            if status != 201:
                refused.append(f"{status} {body[:120]!r}")
            if not kept:
                writer.close()
                writer = None
        if writer is not None:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(CONNECTIONS)))
    return len(requests) / (time.perf_counter() - began), latencies, refused


def in_process(instance, count: int) -> float:
    from instances.outbound.enqueue import enqueue

    began = time.perf_counter()
    for n in range(count):
        enqueue(instance, CHAT, "text", {"text": f"In process {n}"})
    return count / (time.perf_counter() - began)


def run(count: int) -> None:
    from accounts.roles import KeyRole
    from api.services import create_api_key
    from instances.models import Instance, OutboundMessage

    stack.empty_redis()
    with bench_database() as database_url:
        instance = Instance.objects.create(
            name="Bench", engine="waha", base_url="http://127.0.0.1:9", session_name="default"
        )
        token = create_api_key("Bench", KeyRole.OPERATOR)[1]

        def bodies(tag: str, how_many: int) -> list[bytes]:
            return [
                http_request(
                    port,
                    token,
                    json.dumps(
                        {
                            "profileId": str(instance.uuid),
                            "chatId": CHAT,
                            "content": {"text": f"{tag} {n}"},
                        }
                    ).encode(),
                )
                for n in range(how_many)
            ]

        port = free_port()
        env = {
            "LOG_LEVEL": "WARNING",
            # High enough never to refuse the run, so every request still pays for the count.
            "API_RATE_LIMIT_PER_MINUTE": str(count * 100),
        }
        with stack.gunicorn(database_url, port, env, "--access-logfile", "/dev/null"):
            asyncio.run(load(port, bodies("Warm-up", 200)))
            rate, latencies, refused = asyncio.run(load(port, bodies("API", count)))
        if refused:
            raise RuntimeError(f"{len(refused)} requests refused, first: {refused[0]}")
        baseline = in_process(instance, count)
        queued = OutboundMessage.objects.filter(instance=instance).count()

    p95 = statistics.quantiles(latencies, n=20)[-1]
    median = statistics.median(latencies)
    print(
        f"REST API sends: {count} text messages per way, {CONNECTIONS} connections, "
        "gunicorn 2 workers, PostgreSQL, Redis cache"
    )
    print(f"{'way':<34} {'messages/s':>10} {'median ms':>10} {'p95 ms':>8}")
    print(f"{'enqueue in process (baseline)':<34} {baseline:>10.0f} {'':>10} {'':>8}")
    print(f"{'POST /api/v1/messages/text':<34} {rate:>10.0f} {median:>10.1f} {p95:>8.1f}")
    print(f"(queued {queued} messages in all)")
    met = rate >= TARGET_RATE and p95 < TARGET_P95_MS
    print(
        f"RESULT messages={count} api_per_s={rate:.0f} p95_ms={p95:.1f} "
        f"enqueue_per_s={baseline:.0f} ratio={rate / baseline:.2f} target_per_s={TARGET_RATE} "
        f"target_p95_ms={TARGET_P95_MS} met={'yes' if met else 'no'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 messages per way")
    parser.add_argument("--messages", type=int)
    args = parser.parse_args()
    run(args.messages or (1000 if args.quick else 5000))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()

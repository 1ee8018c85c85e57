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
It also prints how the 8 connections fell on the two workers (`ss`, a second into the run):
the kernel spreads them at random, and a 6+2 spread is slower than 4+4.
`--quick`: 1,000 messages per way instead of 5,000.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/7")
os.environ.setdefault("Q_BROKER", "redis")

from bench import stack  # after the environment above, which its settings read
from bench.load import connection_spread, post_all, raw_request
from bench.stack import bench_database, free_port

CONNECTIONS = 8
TARGET_RATE = 500
TARGET_P95_MS = 50
CHAT = "+4915123456789"


def text_to(instance, text: str) -> dict:
    return {"profileId": str(instance.uuid), "chatId": CHAT, "content": {"text": text}}


def in_process(instance, count: int) -> float:
    from instances.outbound.enqueue import enqueue

    began = time.perf_counter()
    for n in range(count):
        enqueue(instance, CHAT, "text", {"text": f"In process {n}"})
    return count / (time.perf_counter() - began)


def split(spread: list[int]) -> str:
    return "+".join(map(str, spread)) or "not seen"


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
        port = free_port()
        url = f"http://127.0.0.1:{port}/api/v1/messages/text"

        def bodies(tag: str, how_many: int) -> list[bytes]:
            headers = {"X-API-Key": token, "Content-Type": "application/json"}
            return [
                raw_request(url, json.dumps(text_to(instance, f"{tag} {n}")).encode(), headers)
                for n in range(how_many)
            ]

        env = {
            "LOG_LEVEL": "WARNING",
            # High enough never to refuse the run, so every request still pays for the count.
            "API_RATE_LIMIT_PER_MINUTE": str(count * 100),
        }
        with stack.gunicorn(
            database_url, port, env, "--access-logfile", "/dev/null", production=True
        ):
            post_all(url, bodies("Warm-up", 200), CONNECTIONS, expected=201)
            with connection_spread(port) as spread:
                elapsed, latencies = post_all(url, bodies("API", count), CONNECTIONS, expected=201)
        rate = count / elapsed
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
    print(f"(queued {queued} messages in all; connections per gunicorn worker: {split(spread)})")
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

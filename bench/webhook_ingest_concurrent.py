"""Webhook ingest under load: signed `message` events from 8 connections to gunicorn.

    .venv/bin/python -m bench.webhook_ingest_concurrent [--quick] [--events N]

Real parts on loopback: a PostgreSQL database made for the run and gunicorn with 2 workers
(`bench/ingest_settings.py`: the project plus one minimal view). A load generator (one asyncio
loop, 8 connections on raw sockets) posts signed WAHA `message` events, every one a new
message from one of 500 customers, to the minimal view that only verifies the signature and
inserts one row (the baseline) and to the real receiver, which stores the event and applies it
to the inbox (conversation, bubble, unread count). Events per second and latency per request,
both ways in the same run, taking turns in five rounds. `--quick`: 1,000 events
per way instead of 5,000.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import statistics
import sys
from pathlib import Path

from bench import stack
from bench.load import post_all, raw_request
from bench.stack import ROOT, bench_database, free_port

CONNECTIONS = 8
FIXTURE = ROOT / "tests" / "fixtures" / "waha" / "message.json"
TARGET_SHARE = 0.6
TARGET_RATE = 400
# Turns each way takes, alternating with the other.
ROUNDS = 5


def gunicorn(database_url: str, port: int):
    """gunicorn on the benchmark's receiver-only settings, without an access log."""
    settings = {"DJANGO_SETTINGS_MODULE": "bench.ingest_settings", "LOG_LEVEL": "WARNING"}
    return stack.gunicorn(
        database_url, port, settings, "--access-logfile", "/dev/null", production=True
    )


def signed_bodies(count: int, tag: str, secret: str) -> list[tuple[bytes, dict[str, str]]]:
    template = json.loads(FIXTURE.read_text())
    result = []
    for n in range(count):
        template["id"] = f"evt_{tag}_{n:07d}"
        customer = f"49176{n % 500:08d}@c.us"
        template["payload"].update(
            id=f"false_{customer}_{tag.upper()}{n:07d}", **{"from": customer}
        )
        body = json.dumps(template).encode()
        signature = hmac.new(secret.encode(), body, hashlib.sha512).hexdigest()
        headers = {
            "Content-Type": "application/json",
            "X-Webhook-Hmac": signature,
            "X-Webhook-Hmac-Algorithm": "sha512",
            "X-Webhook-Request-Id": template["id"],
        }
        result.append((body, headers))
    return result


def load(url: str, requests: list[tuple[bytes, dict[str, str]]]) -> tuple[float, list[float]]:
    """Seconds taken and each request's latency (ms), over CONNECTIONS connections."""
    prepared = [raw_request(url, body, headers) for body, headers in requests]
    return post_all(url, prepared, CONNECTIONS, expected=200)


def run(count: int) -> None:
    from inbox.models import ConversationMessage, WebhookEvent
    from instances.models import Instance

    with bench_database() as database_url:
        instance = Instance.objects.create(
            name="Bench", engine="waha", base_url="http://127.0.0.1:9", session_name="default"
        )
        secret = instance.webhook_secret
        with gunicorn(database_url, free_port()) as url:
            receiver = instance.webhook_url.split("/hooks/", 1)[1]
            ways = [
                ("baseline: verify + insert", f"{url}/bench/minimal/{instance.uuid}/", "min"),
                ("receiver: store + apply", f"{url}/hooks/{receiver}", "real"),
            ]
            load(ways[0][1], signed_bodies(200, "warmmin", secret))
            load(ways[1][1], signed_bodies(200, "warmreal", secret))
            bodies = {tag: signed_bodies(count, tag, secret) for _, _, tag in ways}
            elapsed = dict.fromkeys(bodies, 0.0)
            latencies: dict[str, list[float]] = {tag: [] for tag in bodies}
            # The ways take turns, so a change in the machine's other load hits both alike.
            size = -(-count // ROUNDS)
            for start in range(0, count, size):
                for _, address, tag in ways:
                    seconds, timings = load(address, bodies[tag][start : start + size])
                    elapsed[tag] += seconds
                    latencies[tag] += timings
            results = [(label, count / elapsed[tag], latencies[tag]) for label, _, tag in ways]
        applied = ConversationMessage.objects.count()
        stored = WebhookEvent.objects.count()
    print(
        f"Webhook ingest under load: {count} signed message events per way, "
        f"{CONNECTIONS} connections, gunicorn 2 workers, PostgreSQL"
    )
    print(f"{'way':<28} {'events/s':>9} {'median ms':>10} {'p95 ms':>8}")
    for label, rate, latencies in results:
        p95 = statistics.quantiles(latencies, n=20)[-1]
        print(f"{label:<28} {rate:>9.0f} {statistics.median(latencies):>10.1f} {p95:>8.1f}")
    baseline_rate, real_rate = results[0][1], results[1][1]
    share = real_rate / baseline_rate
    met = share >= TARGET_SHARE and real_rate >= TARGET_RATE
    print(f"(stored {stored} events, {applied} conversation messages)")
    print(
        f"RESULT events={count} baseline_per_s={baseline_rate:.0f} receiver_per_s={real_rate:.0f} "
        f"share={share:.2f} target_share={TARGET_SHARE} target_per_s={TARGET_RATE} "
        f"met={'yes' if met else 'no'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 events per way")
    parser.add_argument("--events", type=int)
    args = parser.parse_args()
    run(args.events or (1000 if args.quick else 5000))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()

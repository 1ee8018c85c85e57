"""Webhook ingest: server time to authenticate, parse and store one signed `message` event.

    .venv/bin/python bench/webhook_ingest.py [--quick] [--events N]

Runs on PostgreSQL (`DATABASE_URL`, default a `switchboard_bench` database on 127.0.0.1, made
and dropped by the run). Three ways through the same store, each over fresh event ids:
- baseline: what the receiver did before engines were cheap: build an httpx client (loading the CA
  bundle) for every webhook, then parse and store;
- parse+store: the receiver's service calls today (class-level parser, no client);
- full request: a signed POST through Django's test client (middleware, signature, view).
Prints the median and p95 per event, the ratio to the baseline, and a RESULT line.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/switchboard_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# As a deployment should run (README, CONN_MAX_AGE): without it every request also pays for a
# new database connection, which is most of a webhook's cost.
os.environ.setdefault("CONN_MAX_AGE", "60")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "waha" / "message.json"


def bodies(count: int, tag: str) -> list[bytes]:
    template = json.loads(FIXTURE.read_text())
    result = []
    for n in range(count):
        template["id"] = f"evt_{tag}_{n:06d}"
        template["payload"]["id"] = f"false_4917612345678@c.us_{tag.upper()}{n:06d}"
        result.append(json.dumps(template).encode())
    return result


def sign(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha512).hexdigest()


def measure(step: Callable[[bytes], None], events: list[bytes]) -> list[float]:
    timings = []
    for body in events:
        started = time.perf_counter()
        step(body)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 events instead of 2,000")
    parser.add_argument("--events", type=int, help="events per way (default 2000)")
    args = parser.parse_args()
    count = args.events or (200 if args.quick else 2000)

    from inbox import services
    from inbox.models import WebhookEvent
    from instances.engines.waha import WahaEngine
    from instances.models import Instance

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        instance = Instance.objects.create(
            name="Bench",
            engine="waha",
            base_url="http://127.0.0.1:3000",
            session_name="default",
            api_key="bench-key-0001",
        )
        secret = instance.webhook_secret
        headers = {"Content-Type": "application/json"}

        def baseline(body: bytes) -> None:
            # The old receiver built the whole engine, whose client loaded the CA bundle anew.
            with httpx.Client(base_url=instance.base_url, headers={"X-Api-Key": "k"}):
                events = WahaEngine.parse_webhook(headers, body)
            services.ingest_events(instance, events, body)

        def parse_and_store(body: bytes) -> None:
            events = services.parse_webhook(instance, headers, body)
            services.ingest_events(instance, events, body)

        client = Client()
        path = instance.webhook_url.removeprefix(settings.PUBLIC_BASE_URL)

        def full_request(body: bytes) -> None:
            response = client.post(
                path,
                body,
                content_type="application/json",
                headers={
                    "X-Webhook-Hmac": sign(body, secret),
                    "X-Webhook-Hmac-Algorithm": "sha512",
                },
            )
            assert response.status_code == 200, response.content

        warmup = bodies(20, "warm")
        measure(parse_and_store, warmup)
        rows = [
            ("baseline (engine + client per event)", measure(baseline, bodies(count, "base"))),
            ("parse + store", measure(parse_and_store, bodies(count, "svc"))),
            ("full signed request", measure(full_request, bodies(count, "http"))),
        ]
        stored = WebhookEvent.objects.count()
        assert stored == 3 * count + len(warmup), stored
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    base_median = statistics.median(rows[0][1])
    print(f"Webhook ingest on {connection.vendor}, {count} signed message events per way")
    print(f"{'way':<40} {'median ms':>10} {'p95 ms':>8} {'vs baseline':>12}")
    for name, timings in rows:
        median = statistics.median(timings)
        p95 = statistics.quantiles(timings, n=20)[-1]
        print(f"{name:<40} {median:>10.2f} {p95:>8.2f} {base_median / median:>11.1f}x")
    medians = [statistics.median(timings) for _, timings in rows]
    print(
        f"RESULT events={count} baseline_ms={medians[0]:.2f} parse_store_ms={medians[1]:.2f} "
        f"request_ms={medians[2]:.2f} speedup={medians[0] / medians[1]:.1f}"
    )


if __name__ == "__main__":
    main()

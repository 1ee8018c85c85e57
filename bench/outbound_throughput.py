"""Outbound throughput: text messages through the whole queue (pump, django-q2 workers, WAHA
adapter) to the simulator with pacing off, next to a plain httpx loop sending the same number
of requests to the same simulator, once before the queue's run and once after it: the
comparison uses their mean, so that the machine's speed drifting during the run (other work,
the host) weighs on both sides alike.

    .venv/bin/python bench/outbound_throughput.py [--quick] [--messages N] [--instances N]
                                                  [--workers N]

Runs on PostgreSQL (`DATABASE_URL`, default a `switchboard_bench` database made and dropped by
the run); the simulator and `qcluster` run as real processes on loopback.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time

import httpx

from bench import stack


def plain_loop(url: str, sessions: list[str], count: int) -> float:
    """Messages per second of one client sending back to back: the ceiling the queue is
    compared with."""
    with httpx.Client(base_url=url, headers={"X-Api-Key": stack.SIMULATOR_KEY}) as client:
        started = time.perf_counter()
        for n in range(count):
            body = {"session": sessions[n % len(sessions)], "chatId": "4915123456789@c.us"}
            client.post("/api/sendText", json={**body, "text": f"plain {n}"}).raise_for_status()
        return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 messages, not 20,000")
    parser.add_argument("--messages", type=int)
    parser.add_argument("--instances", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    count = args.messages or (2000 if args.quick else 20000)

    from django.db.models import Count
    from django_q.tasks import async_task

    from instances.models import OutboundMessage, QueueSettings
    from instances.outbound import enqueue

    sessions = [f"bench{n}" for n in range(args.instances)]
    with stack.bench_database() as database_url, stack.simulator() as url:
        stack.link_sessions(url, sessions)
        plain_before = plain_loop(url, sessions, count)
        instances = stack.working_instances(url, sessions, min_delay_seconds=0, max_delay_seconds=0)
        # Pacing off: no delay and caps out of the way (above what the form allows).
        QueueSettings.objects.update(per_minute_cap=10**9, per_day_cap=10**9)
        for n in range(count):
            enqueue(instances[n % len(instances)], "+4915123456789", "text", {"text": f"q {n}"})

        with stack.workers(database_url, args.workers):
            started = time.perf_counter()
            async_task("instances.tasks.pump_outbound", group="outbound-pump")
            pending = OutboundMessage.objects.filter(status__in=("queued", "sending"))
            deadline = started + max(600, count / 10)
            while pending.exists():
                if time.perf_counter() > deadline:
                    raise SystemExit(f"timed out with {pending.count()} messages pending")
                time.sleep(0.2)
            elapsed = time.perf_counter() - started
        plain_after = plain_loop(url, sessions, count)
        outcomes = dict(OutboundMessage.objects.values_list("status").annotate(n=Count("id")))
        tasks = _tasks_run()
        gaps = _send_spread()

    queued = count / elapsed
    plain = (plain_before + plain_after) / 2
    print(
        f"Outbound throughput: {count} texts over {args.instances} instances, "
        f"{args.workers} workers, PostgreSQL, pacing off"
    )
    print(f"{'way':<34} {'msgs/s':>8} {'vs plain loop':>14}")
    print(f"{'plain httpx loop, before':<34} {plain_before:>8.1f} {plain_before / plain:>13.2f}x")
    print(f"{'plain httpx loop, after':<34} {plain_after:>8.1f} {plain_after / plain:>13.2f}x")
    print(f"{'plain httpx loop (mean)':<34} {plain:>8.1f} {1.0:>13.2f}x")
    print(f"{'Switchboard queue':<34} {queued:>8.1f} {queued / plain:>13.2f}x")
    print(f"outcomes: {outcomes}; median time between sends {gaps:.1f} ms; tasks run: {tasks}")
    print(
        f"RESULT messages={count} queue_msgs_per_s={queued:.1f} plain_msgs_per_s={plain:.1f} "
        f"plain_before={plain_before:.1f} plain_after={plain_after:.1f} "
        f"ratio={queued / plain:.2f} sent={outcomes.get('sent', 0)}"
    )


def _tasks_run() -> dict[str, int]:
    from django.db.models import Count
    from django_q.models import Task

    counted = Task.objects.values_list("func").annotate(n=Count("id"))
    return {func.rsplit(".", 1)[-1]: n for func, n in counted}


def _send_spread() -> float:
    from instances.models import SendAttempt

    starts = sorted(SendAttempt.objects.values_list("started_at", flat=True))
    gaps = [(b - a).total_seconds() * 1000 for a, b in itertools.pairwise(starts)]
    return statistics.median(gaps) if gaps else 0.0


if __name__ == "__main__":
    main()

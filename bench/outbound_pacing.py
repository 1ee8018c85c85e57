"""Outbound pacing: how close each gap between two sends of one instance comes to the delay
it was given, with many instances sending at once through the pump and django-q2 workers.

    .venv/bin/python -m bench.outbound_pacing [--quick] [--instances N] [--seconds S]
                                              [--delay D] [--workers N]

Every instance gets the same fixed delay D (min = max), so each gap's target is known without
recording what was drawn; the error is |actual gap - D|. The baseline, measured in the same
run, is the same error for a naive design: a task per message picked up by the ORM broker at
its own pace rather than at a slot it waits for. It is measured with probe tasks enqueued at
known times while the same workers run: each gap error of that design is the difference
between two consecutive pick-up delays.
Runs on PostgreSQL (`DATABASE_URL`, default a `switchboard_bench` database made and dropped by
the run); the simulator and `qcluster` run as real processes on loopback.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time
from collections import defaultdict

from bench import stack


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 instances for 60 s")
    parser.add_argument("--instances", type=int)
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--delay", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    instances_count = args.instances or (10 if args.quick else 50)
    seconds = args.seconds or (60.0 if args.quick else 300.0)

    from django_q.tasks import async_task

    from instances.models import SendAttempt
    from instances.outbound import enqueue

    names = [f"pace{n}" for n in range(instances_count)]
    per_instance = int(seconds / args.delay) + 2
    with stack.bench_database() as database_url, stack.simulator() as url:
        stack.link_sessions(url, names)
        pace = {"min_delay_seconds": args.delay, "max_delay_seconds": args.delay}
        for instance in stack.working_instances(url, names, per_minute_cap=600, **pace):
            for n in range(per_instance):
                enqueue(instance, "+4915123456789", "text", {"text": f"{instance.name} {n}"})
        with stack.workers(database_url, args.workers):
            async_task("instances.tasks.pump_outbound", group="outbound-pump")
            time.sleep(seconds)
            pickup = probe_pickup_delays(PROBES)
        gaps = defaultdict(list)
        rows = SendAttempt.objects.order_by("instance_id", "started_at").values_list(
            "instance_id", "started_at"
        )
        for instance_id, starts in itertools.groupby(rows, key=lambda row: row[0]):
            times = [start for _, start in starts]
            gaps[instance_id] = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]

    errors = [abs(gap - args.delay) for values in gaps.values() for gap in values[1:]]
    naive = [abs(b - a) for a, b in itertools.pairwise(pickup)]
    print(
        f"Outbound pacing: {instances_count} instances, delay {args.delay:g} s, {seconds:g} s, "
        f"{args.workers} workers, PostgreSQL"
    )
    print(f"{'way':<40} {'gaps':>6} {'median s':>9} {'p99 s':>7} {'max s':>7}")
    if not errors:
        raise SystemExit("no gaps measured")
    print(
        f"{'slots handed out early (Switchboard)':<40} {len(errors):>6} "
        f"{statistics.median(errors):>9.3f} {percentile(errors, 0.99):>7.3f} {max(errors):>7.3f}"
    )
    print(
        f"{'a task per message (baseline)':<40} {len(naive):>6} "
        f"{statistics.median(naive):>9.3f} {percentile(naive, 0.99):>7.3f} {max(naive):>7.3f}"
    )
    print(
        f"RESULT instances={instances_count} gaps={len(errors)} "
        f"median_error_s={statistics.median(errors):.3f} "
        f"p99_error_s={percentile(errors, 0.99):.3f} "
        f"baseline_p99_error_s={percentile(naive, 0.99):.3f}"
    )


PROBES = 60


def probe_pickup_delays(count: int) -> list[float]:
    """Seconds from enqueueing a task to a worker starting it, for `count` probes 0.3 s apart.

    A probe is `send_next` for an instance that does not exist, with its enqueue time as the
    slot: it returns at once, and django-q2 records when it started.
    """
    from django.utils import timezone
    from django_q.models import Task
    from django_q.tasks import async_task

    sent = {}
    for _ in range(count):
        at = timezone.now()
        task_id = async_task("instances.tasks.send_next", 0, at.isoformat(), group="probe")
        sent[task_id] = at
        time.sleep(0.3)
    deadline = time.monotonic() + 30
    while Task.objects.filter(group="probe").count() < count and time.monotonic() < deadline:
        time.sleep(0.2)
    started = dict(Task.objects.filter(group="probe").values_list("id", "started"))
    return [
        (started[task_id] - at).total_seconds()
        for task_id, at in sent.items()
        if task_id in started
    ]


if __name__ == "__main__":
    main()

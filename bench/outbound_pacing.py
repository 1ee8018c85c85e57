"""Outbound pacing: how close each gap between two sends of one instance comes to the delay
drawn for it, with many instances sending at once through the pump and django-q2 workers.

    .venv/bin/python -m bench.outbound_pacing [--quick] [--instances N] [--seconds S]
                                              [--min-delay A] [--max-delay B] [--workers N]
                                              [--broker orm|redis]

Each instance draws its delays between A and B (2 and 4 s by default). The dispatcher records
the slot it planned for every send (`SendAttempt.planned_for`): two consecutive slots of an
instance are exactly the delay drawn between them, so each gap's error is
|actual gap - planned gap|. The baseline, measured in the same run, is the same error for a
naive design: a task per message picked up by the broker at its own pace rather than at a slot
it waits for. It is measured with probe tasks enqueued at known times while the same workers
run: each gap error of that design is the difference between two consecutive pick-up delays.
Runs on PostgreSQL (`DATABASE_URL`, default a `switchboard_bench` database made and dropped by
the run); the simulator and `qcluster` run as real processes on loopback.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import time


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 instances for 60 s")
    parser.add_argument("--instances", type=int)
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--min-delay", type=float, default=2.0)
    parser.add_argument("--max-delay", type=float, default=4.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--broker", choices=("orm", "redis"), default="orm")
    args = parser.parse_args()
    if args.broker == "redis":
        # This process queues tasks too, so it must use the same broker as the workers.
        os.environ.update(
            Q_BROKER="redis", REDIS_URL=os.environ.get("BENCH_REDIS_URL", BENCH_REDIS)
        )
    from bench import stack

    if args.broker == "redis":
        stack.empty_redis()
    instances_count = args.instances or (10 if args.quick else 50)
    seconds = args.seconds or (60.0 if args.quick else 300.0)

    from django_q.tasks import async_task

    from instances.models import SendAttempt
    from instances.outbound import enqueue

    names = [f"pace{n}" for n in range(instances_count)]
    per_instance = int(seconds / args.min_delay) + 2
    with stack.bench_database() as database_url, stack.simulator() as url:
        stack.link_sessions(url, names)
        pace = {"min_delay_seconds": args.min_delay, "max_delay_seconds": args.max_delay}
        for instance in stack.working_instances(url, names, per_minute_cap=600, **pace):
            for n in range(per_instance):
                enqueue(instance, "+4915123456789", "text", {"text": f"{instance.name} {n}"})
        with stack.workers(database_url, args.workers):
            async_task("instances.tasks.pump_outbound", group="outbound-pump")
            time.sleep(seconds)
            pickup = probe_pickup_delays(PROBES)
        errors = []
        rows = (
            SendAttempt.objects.filter(planned_for__isnull=False)
            .order_by("instance_id", "planned_for")
            .values_list("instance_id", "planned_for", "started_at")
        )
        for _, sends in itertools.groupby(rows, key=lambda row: row[0]):
            # The first gap of each instance starts at the pump's first pass, not at a slot.
            for (_, plan_a, start_a), (_, plan_b, start_b) in list(itertools.pairwise(sends))[1:]:
                errors.append(abs((start_b - start_a) - (plan_b - plan_a)).total_seconds())

    naive = [abs(b - a) for a, b in itertools.pairwise(pickup)]
    print(
        f"Outbound pacing: {instances_count} instances, delays {args.min_delay:g}-"
        f"{args.max_delay:g} s, {seconds:g} s, {args.workers} workers, {args.broker} broker, "
        "PostgreSQL"
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
BENCH_REDIS = "redis://127.0.0.1:6379/15"


def probe_pickup_delays(count: int) -> list[float]:
    """Seconds from enqueueing a task to a worker running it, for `count` probes 0.3 s apart.

    A probe is a task that returns the time it ran (`timezone.now`); django-q2 keeps the result.
    (Its own `started` field is the time the task was queued, not when it ran.)
    """
    from django.utils import timezone
    from django_q.models import Task
    from django_q.tasks import async_task

    sent = {}
    for _ in range(count):
        at = timezone.now()
        sent[async_task("django.utils.timezone.now", group="probe")] = at
        time.sleep(0.3)
    deadline = time.monotonic() + 30
    while Task.objects.filter(group="probe").count() < count and time.monotonic() < deadline:
        time.sleep(0.2)
    ran = {task.id: task.result for task in Task.objects.filter(group="probe")}
    return [(ran[task_id] - at).total_seconds() for task_id, at in sent.items() if task_id in ran]


if __name__ == "__main__":
    main()

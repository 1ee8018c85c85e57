"""What one send costs inside a worker: one instance's burst (pacing off) run in this process
against the simulator, with the statements it makes (`CaptureQueriesContext`, which also sees
BEGIN and COMMIT: each a round trip), its wall and CPU time per message, and the share spent in
the engine call. `--profile` adds cProfile's top functions by CPU time.

    .venv/bin/python -m bench.outbound_send_cost [--quick] [--messages N] [--profile]

Runs on PostgreSQL (`DATABASE_URL`, a database made and dropped by the run).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
from collections import Counter, deque

from bench import stack


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="300 messages, not 2,000")
    parser.add_argument("--messages", type=int)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    args = parser.parse_args()
    count = args.messages or (300 if args.quick else 2000)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from instances.engines.waha import WahaEngine
    from instances.models import OutboundMessage, QueueSettings
    from instances.outbound import dispatcher, enqueue

    with stack.bench_database(), stack.simulator() as url:
        stack.link_sessions(url, ["cost"])
        (instance,) = stack.working_instances(
            url, ["cost"], min_delay_seconds=0, max_delay_seconds=0
        )
        QueueSettings.objects.update(per_minute_cap=10**9, per_day_cap=10**9)
        for n in range(count + dispatcher.BATCH):
            enqueue(instance, "+4915123456789", "text", {"text": f"cost {n}"})
        # One batch first, so that the engine, its connection and Django's caches are warm.
        dispatcher.send_next(instance.pk, burst_seconds=0)
        QueueSettings.objects.update(burst_until=None)

        engine_seconds = 0.0
        send = WahaEngine.send

        def timed_send(engine, request):
            nonlocal engine_seconds
            started = time.perf_counter()
            try:
                return send(engine, request)
            finally:
                engine_seconds += time.perf_counter() - started

        WahaEngine.send = timed_send
        profile = cProfile.Profile(time.process_time)
        # Room for every statement of the run (Django keeps the last 9,000).
        connection.queries_log = deque(maxlen=100 * count)
        with CaptureQueriesContext(connection) as captured:
            started, cpu = time.perf_counter(), time.process_time()
            if args.profile:
                profile.enable()
            dispatcher.send_next(instance.pk, burst_seconds=3600)
            profile.disable()
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        WahaEngine.send = send
        sent = OutboundMessage.objects.filter(status="sent").count() - dispatcher.BATCH

    statements = Counter(query["sql"].split(None, 1)[0] for query in captured.captured_queries)
    total = sum(statements.values())
    print(f"Send cost: {sent} texts in one burst, in process, PostgreSQL, simulator on loopback")
    print(f"{'per message':<28} {'value':>8}")
    print(f"{'wall ms':<28} {wall / sent * 1000:>8.2f}")
    print(f"{'  of which engine call ms':<28} {engine_seconds / sent * 1000:>8.2f}")
    print(f"{'worker CPU ms':<28} {cpu / sent * 1000:>8.2f}")
    print(f"{'statements':<28} {total / sent:>8.2f}")
    print(f"statements by kind: {dict(statements.most_common())}")
    if args.profile:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(30)
        print(out.getvalue())
    print(
        f"RESULT messages={sent} wall_ms={wall / sent * 1000:.2f} "
        f"engine_ms={engine_seconds / sent * 1000:.2f} cpu_ms={cpu / sent * 1000:.2f} "
        f"statements_per_message={total / sent:.2f}"
    )


if __name__ == "__main__":
    main()

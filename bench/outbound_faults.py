"""Exactly once under faults: messages through the whole queue while the simulator fails sends
(5xx and 429), times out after accepting some, and workers are killed with SIGKILL mid-send;
then what the simulator accepted is counted per message.

    .venv/bin/python -m bench.outbound_faults [--quick] [--messages N] [--instances N]
                                             [--workers N] [--kills N]

Pacing is off; the gateway read timeout is 1 s (`ENGINE_READ_TIMEOUT`) and the simulator holds
a timed-out answer for 2 s, so a timeout costs seconds, not the default 30. A kill goes to a
worker that holds a row in `sending` at that moment (its pid is in the row's `claimed_by`).
The run ends when nothing is queued or sending and every unconfirmed message the simulator has
was settled by the watchdog's look-up (or after a deadline, which fails the run).
The baseline, from the same run: how many messages a design that retries timeouts would have
delivered twice (every timed-out send the simulator had in fact accepted).
Runs on PostgreSQL (`DATABASE_URL`, default a `switchboard_bench` database made and dropped by
the run); the simulator and `qcluster` run as real processes on loopback.
"""

from __future__ import annotations

import argparse
import os
import signal
import time
from collections import Counter

import httpx

FAULTS = {"rate_500": 0.1, "rate_429": 0.1, "rate_timeout": 0.05, "timeout_hold_s": 2.0}
# Retries back off for up to ~75 s and stale sends are recovered after 2 minutes.
SETTLE_DEADLINE = 15 * 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 messages, not 10,000")
    parser.add_argument("--messages", type=int)
    parser.add_argument("--instances", type=int, default=10)
    parser.add_argument("--workers", type=int, default=6)
    parser.add_argument("--kills", type=int, default=2)
    args = parser.parse_args()
    count = args.messages or (1000 if args.quick else 10000)
    os.environ["ENGINE_READ_TIMEOUT"] = "1"

    from bench import stack
    from instances.models import OutboundMessage, QueueSettings
    from instances.outbound import enqueue
    from instances.outbound.status import wire_id

    sessions = [f"faults{n}" for n in range(args.instances)]
    started = time.monotonic()
    with stack.bench_database() as database_url, stack.simulator() as url:
        stack.link_sessions(url, sessions)
        api = httpx.Client(base_url=url, headers={"X-Api-Key": stack.SIMULATOR_KEY}, timeout=30)
        instances = stack.working_instances(url, sessions, min_delay_seconds=0, max_delay_seconds=0)
        QueueSettings.objects.update(per_minute_cap=10**9, per_day_cap=10**9)
        for n in range(count):
            enqueue(instances[n % len(instances)], "+4915123456789", "text", {"text": f"f {n}"})
        api.post("/simulator/faults", json=FAULTS).raise_for_status()

        with stack.workers(database_url, args.workers):
            from django_q.tasks import async_task

            async_task("instances.tasks.pump_outbound", group="outbound-pump")
            kills = kill_workers_mid_send(count, args.kills)
            accepted = settle(api, sessions, started + SETTLE_DEADLINE)
        api.post("/simulator/faults", json={key: 0 for key in FAULTS}).raise_for_status()

        rows = list(OutboundMessage.objects.prefetch_related("tries"))
        copies = {wire_id(row): accepted.get(wire_id(row), 0) for row in rows}
        statuses = Counter(row.status for row in rows)
        twice = sum(1 for n in copies.values() if n > 1)
        lost = sum(1 for row in rows if row.status == "sent" and copies[wire_id(row)] == 0)
        unsent_ok = sum(1 for row in rows if row.status != "sent" and copies[wire_id(row)] == 0)
        without_reason = sum(
            1 for row in rows if row.status in ("failed", "unconfirmed") and not row.last_error
        )
        unsettled = sum(
            1 for row in rows if row.status == "unconfirmed" and copies[wire_id(row)] > 0
        )
        timeouts_accepted = sum(
            1
            for row in rows
            if copies[wire_id(row)] > 0
            and any(t.outcome in ("unconfirmed", "confirmed") for t in row.tries.all())
        )
        elapsed = time.monotonic() - started

    print(
        f"Exactly once under faults: {count} texts over {args.instances} instances, "
        f"{args.workers} workers, {kills} worker SIGKILLs, faults {FAULTS}, PostgreSQL"
    )
    print(f"final statuses: {dict(statuses)}; run {elapsed:.0f} s")
    print(f"{'measure':<58} {'messages':>9}")
    for label, value in (
        ("accepted by the simulator more than once", twice),
        ("marked sent but never accepted (lost)", lost),
        ("left queued or sending", statuses["queued"] + statuses["sending"]),
        ("failed or unconfirmed without a reason", without_reason),
        ("unconfirmed although the simulator has it", unsettled),
        ("not sent and not accepted (failed for good or for a person)", unsent_ok),
        ("baseline: duplicates if timeouts were retried", timeouts_accepted),
    ):
        print(f"{label:<58} {value:>9}")
    print(
        f"RESULT messages={count} kills={kills} accepted_twice={twice} lost={lost} "
        f"left_pending={statuses['queued'] + statuses['sending']} "
        f"without_reason={without_reason} unconfirmed_but_accepted={unsettled} "
        f"baseline_duplicates={timeouts_accepted} sent={statuses['sent']} "
        f"failed={statuses['failed']} unconfirmed={statuses['unconfirmed']}"
    )


def kill_workers_mid_send(count: int, kills: int) -> int:
    """SIGKILL the worker holding a `sending` row, once at each of `kills` evenly spaced points
    of the run (by messages finished); the number of kills made."""
    from instances.models import OutboundMessage

    done = 0
    finished = OutboundMessage.objects.exclude(status__in=("queued", "sending"))
    for point in range(1, kills + 1):
        deadline = time.monotonic() + SETTLE_DEADLINE
        while finished.count() < count * point / (kills + 1) and time.monotonic() < deadline:
            time.sleep(0.2)
        while time.monotonic() < deadline:
            holder = (
                OutboundMessage.objects.filter(status="sending")
                .values_list("claimed_by", flat=True)
                .first()
            )
            if holder:
                try:
                    os.kill(int(holder.rsplit(":", 1)[1]), signal.SIGKILL)
                except ProcessLookupError:
                    continue
                done += 1
                break
            time.sleep(0.01)
    return done


def settle(api: httpx.Client, sessions: list[str], deadline: float) -> Counter:
    """Wait until nothing is queued or sending and no unconfirmed message is one the simulator
    accepted; the simulator's accepted sends by Switchboard's message id."""
    from instances.models import OutboundMessage
    from instances.outbound.status import wire_id

    while True:
        accepted = Counter()
        for session in sessions:
            for record in api.get(f"/simulator/sessions/{session}/messages").json():
                if record["direction"] == "outgoing":
                    accepted[record["request"].get("id", "")] += 1
        pending = OutboundMessage.objects.filter(status__in=("queued", "sending")).exists()
        unconfirmed = OutboundMessage.objects.filter(status="unconfirmed")
        settling = any(accepted[wire_id(row)] for row in unconfirmed)
        if not pending and not settling:
            return accepted
        if time.monotonic() > deadline:
            print("deadline passed before the queue settled")
            return accepted
        time.sleep(2)


if __name__ == "__main__":
    main()

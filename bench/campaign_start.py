"""Campaign start: create a campaign for many contacts on 5 numbers, start it, and time the
first message out through the real pump, django-q2 workers and the simulator; then the
campaign and list pages' server time while it sends.

    .venv/bin/python -m bench.campaign_start [--quick] [--recipients N] [--workers N]

The baseline, measured in the same run with the same workers, is one message queued from the
compose form's service: the least time any send can take to go out. Runs on PostgreSQL
(`DATABASE_URL`, default a `switchboard_bench` database made and dropped by the run).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

from bench import stack

NUMBERS = 5


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def wait_until_sent(rows, deadline_s: float = 60) -> float:
    started = time.perf_counter()
    while not rows.filter(status__in=("sent", "delivered", "read")).exists():
        if time.perf_counter() - started > deadline_s:
            raise SystemExit("nothing was sent in time")
        time.sleep(0.02)
    return time.perf_counter() - started


def page_times(client, url: str, count: int = 20) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], 0
    for _ in range(count):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        queries = len(captured.captured_queries)
    return statistics.median(times), queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 recipients, not 100,000")
    parser.add_argument("--recipients", type=int)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    count = args.recipients or (10_000 if args.quick else 100_000)

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django_q.tasks import async_task

    from accounts.roles import Role
    from accounts.services import set_role
    from campaigns import services
    from campaigns.audience import add_contacts, contacts_for
    from campaigns.models import Campaign, Contact
    from instances.models import OutboundMessage
    from instances.outbound import enqueue

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    sessions = [f"bench{n}" for n in range(NUMBERS)]
    with stack.bench_database() as database_url, stack.simulator() as url:
        stack.link_sessions(url, sessions)
        instances = stack.working_instances(url, sessions, min_delay_seconds=1, max_delay_seconds=2)
        started = time.perf_counter()
        Contact.objects.bulk_create(
            (Contact(phone=f"+491512{n:07d}", name=f"Person {n}") for n in range(count)),
            batch_size=5000,
        )
        contacts_s = time.perf_counter() - started

        started = time.perf_counter()
        campaign = Campaign(name="Bench", wait_between_messages_from=1, wait_between_messages_to=2)
        services.save_campaign(campaign, ["Hi {name}", "Hello {name}"], instances)
        added = services.add_recipients(
            campaign, lambda c: add_contacts(c, contacts_for(everyone=True))
        )
        create_s = time.perf_counter() - started
        assert added == count, added
        # What autovacuum does within a minute of a big insert; without it the planner still
        # believes the tables are empty.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

        with stack.workers(database_url, args.workers):
            async_task("instances.tasks.pump_outbound", group="outbound-pump")
            # The baseline also warms the cluster up, so both ways see the same workers.
            probe = enqueue(instances[0], "+4915123456789", "text", {"text": "probe"})
            baseline_s = wait_until_sent(OutboundMessage.objects.filter(pk=probe.pk))

            started = time.perf_counter()
            services.start_campaign(campaign)
            first_s = (time.perf_counter() - started) + wait_until_sent(
                OutboundMessage.objects.filter(campaign_recipient__campaign=campaign)
            )

            from django.contrib.auth import get_user_model

            user = get_user_model().objects.create_user("bench")
            set_role(user, Role.OPERATOR)
            client = Client()
            client.force_login(user)
            detail_ms, detail_queries = page_times(client, campaign.get_absolute_url())
            list_ms, list_queries = page_times(client, "/campaigns/")
            queued = OutboundMessage.objects.filter(campaign_recipient__campaign=campaign).count()

    print(
        f"Campaign start: {count} recipients on {NUMBERS} numbers, {args.workers} workers, "
        "PostgreSQL"
    )
    print(f"contacts made in {contacts_s:.1f} s (setup, bulk_create)")
    print(f"campaign created with its recipients in {create_s:.1f} s")
    print(f"{'way':<40} {'seconds to first send':>22}")
    print(f"{'baseline: one composed message':<40} {baseline_s:>22.2f}")
    print(f"{'campaign: start -> first send':<40} {first_s:>22.2f}")
    print(f"queued while measuring pages: {queued} (the feeder's bounded window)")
    print(f"campaign page: median {detail_ms:.1f} ms, {detail_queries} queries")
    print(f"campaign list: median {list_ms:.1f} ms, {list_queries} queries")
    print(f"peak memory of this process (creating the campaign): {peak_mb():.0f} MB")
    print(
        f"RESULT recipients={count} create_s={create_s:.1f} first_send_s={first_s:.2f} "
        f"baseline_s={baseline_s:.2f} page_ms={detail_ms:.1f} list_ms={list_ms:.1f} "
        f"peak_mb={peak_mb():.0f}"
    )


if __name__ == "__main__":
    main()

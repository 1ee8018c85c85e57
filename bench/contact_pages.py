"""Contact pages with many contacts: server time per page and queries, whatever the size.

    .venv/bin/python -m bench.contact_pages [--quick] [--contacts N]

Runs on PostgreSQL (`DATABASE_URL`, default a `switchboard_bench_contact_pages` database on
127.0.0.1, made and dropped by the run). Fills the database with N contacts (100,000; 10,000
with --quick; a quarter tagged), then requests each page through Django's test client as an
operator: first page, a deep page, a search, a tag filter, the opt-out filter, one contact's
form. Prints the median server time of 20 requests and the queries each page made; the same
pages with 100 contacts give the query baseline. Target (issue 11): under 150 ms, fixed queries.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/switchboard_bench_contact_pages"
)
# As a deployment should run (README, CONN_MAX_AGE).
os.environ.setdefault("CONN_MAX_AGE", "60")

# bench.stack reads DATABASE_URL and sets Django up when imported.
from bench.stack import bench_database

REQUESTS = 20


def fill(count: int) -> None:
    from campaigns.models import Contact, Tag

    vip, _ = Tag.objects.get_or_create(name="vip")
    through = Contact.tags.through
    step = 10_000
    for start in range(Contact.objects.count(), count, step):
        batch = Contact.objects.bulk_create(
            Contact(
                phone=f"+49151{n:08d}",
                name=f"Person {n:06d}",
                custom_fields={"city": "Berlin"},
                opted_out=n % 50 == 0,
            )
            for n in range(start, min(start + step, count))
        )
        through.objects.bulk_create(
            through(contact_id=contact.pk, tag_id=vip.pk) for contact in batch[::4]
        )


def pages(count: int) -> dict[str, tuple[str, dict]]:
    from campaigns.models import Contact, Tag

    last_page = max(1, count // 50 // 2)
    contact = Contact.objects.order_by("pk")[count // 2]
    return {
        "list, first page": ("/contacts/", {}),
        "list, middle page": ("/contacts/", {"page": last_page}),
        "search by name": ("/contacts/", {"q": "Person 00004"}),
        "search by phone": ("/contacts/", {"q": "+49 151 00000042"}),
        "tag filter": ("/contacts/", {"tag": Tag.objects.get().pk}),
        "opted out": ("/contacts/", {"opted_out": "yes"}),
        "contact form": (f"/contacts/{contact.pk}/", {}),
    }


def measure(client, path: str, params: dict) -> tuple[float, int]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    # The log is full after filling the database; a request empties it when it starts.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params)
    assert response.status_code == 200, (path, response.status_code)
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        client.get(path, params)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), len(queries.captured_queries)


def run(count: int) -> dict[str, tuple[float, int]]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from accounts.roles import Role
    from accounts.services import set_role

    fill(count)
    user, _ = get_user_model().objects.get_or_create(username="bench-operator")
    set_role(user, Role.OPERATOR)
    client = Client()
    client.force_login(user)
    return {name: measure(client, *page) for name, page in pages(count).items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 contacts")
    parser.add_argument("--contacts", type=int, default=100_000)
    args = parser.parse_args()
    count = 10_000 if args.quick else args.contacts

    from django.test.utils import setup_test_environment

    setup_test_environment()
    with bench_database():
        small = run(100)
        large = run(count)

    print(f"{'page':<22} {'ms (' + str(count) + ')':>12} {'queries':>8} {'queries (100)':>14}")
    for name, (ms, queries) in large.items():
        print(f"{name:<22} {ms:>12.1f} {queries:>8} {small[name][1]:>14}")
    worst = max(ms for ms, _ in large.values())
    fixed = all(large[name][1] == small[name][1] for name in large)
    print(
        f"RESULT contacts={count} worst_page_ms={worst:.1f} "
        f"queries_fixed={'yes' if fixed else 'no'}"
    )


if __name__ == "__main__":
    main()

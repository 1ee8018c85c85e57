"""Workers racing for due deliveries on PostgreSQL: each is claimed once, and a row another
worker is claiming is skipped, not waited for."""

from __future__ import annotations

import threading
from functools import partial

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from api.outgoing.delivery import claim
from api.outgoing.models import WebhookDelivery
from tests.api.webhook_helpers import subscribe
from tests.together import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SKIP LOCKED races need PostgreSQL"
    ),
]

WORKERS = 4
ROWS = 60


def due_deliveries(count: int) -> list[WebhookDelivery]:
    subscriber, _ = subscribe()
    now = timezone.now()
    return WebhookDelivery.objects.bulk_create(
        WebhookDelivery(subscriber=subscriber, event="ping", body={}, next_try_at=now)
        for _ in range(count)
    )


def test_racing_workers_never_claim_a_delivery_twice():
    due_deliveries(ROWS)
    now = timezone.now()
    claimed: list[list[int]] = [[] for _ in range(WORKERS)]

    def work(index: int) -> None:
        while batch := claim(now):
            claimed[index].extend(delivery.pk for delivery in batch)

    assert run_together([partial(work, n) for n in range(WORKERS)]) == []

    every_claim = [pk for worker in claimed for pk in worker]
    assert len(every_claim) == len(set(every_claim)) == ROWS
    assert sum(1 for worker in claimed if worker) > 1, "the race never happened"


def test_a_delivery_locked_by_another_worker_is_skipped_at_once():
    (delivery,) = due_deliveries(1)
    result: dict[str, list] = {}

    def other_worker() -> None:
        try:
            result["claimed"] = claim(timezone.now())
        finally:
            connections.close_all()

    with transaction.atomic():
        WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        thread = threading.Thread(target=other_worker)
        thread.start()
        thread.join(timeout=10)
        assert not thread.is_alive(), "the claim waited for the lock"
    assert result["claimed"] == []
    assert [d.pk for d in claim(timezone.now())] == [delivery.pk]

"""Workers racing for the same rows on PostgreSQL: every row is claimed exactly once."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest
from django.db import connection
from django.utils import timezone

from instances.models import InstanceStatus, OutboundMessage
from instances.outbound import enqueue
from instances.outbound.dispatcher import claim_next
from tests.factories import InstanceFactory
from tests.together import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SKIP LOCKED races need PostgreSQL"
    ),
]

WORKERS = 4
ROWS = 120


def test_racing_workers_never_claim_a_row_twice():
    instance = InstanceFactory(status=InstanceStatus.WORKING)
    for n in range(ROWS):
        enqueue(instance, "+4915123456789", "text", {"text": f"m{n}"})
    now = timezone.now() + timedelta(seconds=1)
    claimed: list[list[int]] = [[] for _ in range(WORKERS)]

    def work(index: int) -> None:
        while (message := claim_next(instance, now, f"worker-{index}")) is not None:
            claimed[index].append(message.pk)

    assert run_together([partial(work, n) for n in range(WORKERS)]) == []

    every_claim = [pk for worker in claimed for pk in worker]
    assert len(every_claim) == len(set(every_claim)) == ROWS
    assert sum(1 for worker in claimed if worker) > 1, "the race never happened"
    assert OutboundMessage.objects.filter(status="sending", attempts=1).count() == ROWS

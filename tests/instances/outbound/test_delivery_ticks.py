"""A sent message climbs to delivered and read as the engine's ack webhooks arrive."""

from __future__ import annotations

import random
import time

import pytest
from django.db import OperationalError

from instances.models import Instance, OutboundMessage, OutboundStatus, QueueSettings
from instances.outbound import enqueue
from instances.outbound.dispatcher import send_next
from instances.services import Action, perform_action
from tests.factories import InstanceFactory
from tests.simulator_fixture import SIMULATOR_TEST_API_KEY

pytestmark = pytest.mark.django_db(transaction=True)


def wait_until(read, wanted: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        try:
            seen = read()
        except OperationalError:
            # SQLite's shared in-memory test database locks a table while the live server
            # writes it; PostgreSQL never does. Read again.
            seen = None
        if seen == wanted:
            return
        time.sleep(0.05)
    raise AssertionError(f"saw {seen}, expected {wanted}")


def test_acks_from_the_engine_move_the_message_to_read(simulator, sim_api, live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    instance = InstanceFactory(
        base_url=simulator.url, session_name="default", api_key=SIMULATOR_TEST_API_KEY
    )
    QueueSettings.objects.create(instance=instance, min_delay_seconds=0, max_delay_seconds=0)
    perform_action(instance, Action.START)
    sim_api.get("/api/sessions/default")
    sim_api.post("/simulator/sessions/default/scan", json={"phone": "+15550001234"})
    wait_until(lambda: Instance.objects.get(pk=instance.pk).status, "WORKING")
    message = enqueue(instance, "+4915123456789", "text", {"text": "Hallo"})

    send_next(instance.pk, rng=random.Random(1))

    read = OutboundMessage.objects.filter(pk=message.pk)
    wait_until(lambda: read.get().status, OutboundStatus.READ)
    assert read.get().provider_id

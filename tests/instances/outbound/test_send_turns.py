"""One task sends the turns of several instances, each in its own thread, at its own slot."""

from __future__ import annotations

import pytest
from django.utils import timezone

from instances.models import InstanceStatus, OutboundStatus, QueueSettings
from instances.outbound import enqueue
from instances.outbound.dispatcher import send_turns
from tests.factories import InstanceFactory
from tests.simulator_fixture import SIMULATOR_TEST_API_KEY

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_numbers(simulator, sim_api):
    """Two WORKING instances on two simulator sessions (threads need committed rows)."""
    numbers = []
    for name in ("first", "second"):
        sim_api.post("/api/sessions", json={"name": name}).raise_for_status()
        sim_api.post(f"/simulator/sessions/{name}/scan", json={"phone": "+15550001234"})
        instance = InstanceFactory(
            name=name,
            base_url=simulator.url,
            session_name=name,
            api_key=SIMULATOR_TEST_API_KEY,
            status=InstanceStatus.WORKING,
        )
        QueueSettings.objects.create(instance=instance, min_delay_seconds=2, max_delay_seconds=3)
        numbers.append(instance)
    return numbers


def test_each_turn_of_a_pass_is_sent_once_in_its_own_thread(two_numbers, sim_api):
    for instance in two_numbers:
        enqueue(instance, "+4915123456789", "text", {"text": f"from {instance.name}"})
    now = timezone.now()

    send_turns([(instance.pk, now) for instance in two_numbers])

    for instance in two_numbers:
        records = sim_api.get(f"/simulator/sessions/{instance.name}/messages").json()
        assert [r["request"]["text"] for r in records] == [f"from {instance.name}"]
        assert instance.outbound.get().status == OutboundStatus.SENT

"""One task sends the turns of several instances, each in its own thread, at its own slot."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_q.models import OrmQ

from instances.models import InstanceStatus, OutboundMessage, OutboundStatus, QueueSettings
from instances.outbound import enqueue
from instances.outbound.dispatcher import BATCH, SEND_THREADS, send_bursts, send_turns
from instances.outbound.pump import enqueue_turns
from tests.factories import InstanceFactory
from tests.simulator_fixture import SIMULATOR_TEST_API_KEY

pytestmark = pytest.mark.django_db(transaction=True)


def linked_numbers(simulator, sim_api, names, **pace):
    """WORKING instances on simulator sessions of their own (threads need committed rows)."""
    numbers = []
    for name in names:
        sim_api.post("/api/sessions", json={"name": name}).raise_for_status()
        sim_api.post(f"/simulator/sessions/{name}/scan", json={"phone": "+15550001234"})
        instance = InstanceFactory(
            name=name,
            base_url=simulator.url,
            session_name=name,
            api_key=SIMULATOR_TEST_API_KEY,
            status=InstanceStatus.WORKING,
        )
        QueueSettings.objects.create(instance=instance, **pace)
        numbers.append(instance)
    return numbers


@pytest.fixture
def two_numbers(simulator, sim_api):
    return linked_numbers(
        simulator, sim_api, ("first", "second"), min_delay_seconds=2, max_delay_seconds=3
    )


def queued_sends() -> list[tuple[str, list[int]]]:
    """The send tasks waiting in the broker, each with the instances it sends for."""
    tasks = []
    for queued in OrmQ.objects.order_by("id"):
        func, (arg,) = queued.task["func"].rsplit(".", 1)[-1], queued.task["args"]
        if func == "send_turns":
            arg = [pk for pk, _ in arg]
        tasks.append((func, arg if isinstance(arg, list) else [arg]))
    return tasks


@pytest.fixture
def bursting(simulator, sim_api, settings):
    """Three instances with pacing off and more to send than one batch each, on two workers."""
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "workers": 2}
    numbers = linked_numbers(
        simulator,
        sim_api,
        ("a", "b", "c"),
        min_delay_seconds=0,
        max_delay_seconds=0,
        per_minute_cap=BATCH + 1,
    )
    for instance in numbers:
        for n in range(BATCH + 1):
            enqueue(instance, "+4915123456789", "text", {"text": f"{instance.name} {n}"})
    OrmQ.objects.all().delete()
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


def test_the_bursts_of_a_pass_go_on_together_in_one_task(bursting):
    # A burst of no time sends one batch each, leaving a message each for the next burst.
    send_turns([(instance.pk, timezone.now()) for instance in bursting], burst_seconds=0)

    for instance in bursting:
        assert instance.outbound.filter(status=OutboundStatus.SENT).count() == BATCH
    ((func, handed_on),) = queued_sends()
    assert func == "send_bursts" and sorted(handed_on) == sorted(i.pk for i in bursting)


def test_bursts_handed_on_together_go_on_together(bursting):
    send_bursts([instance.pk for instance in bursting], burst_seconds=0)

    ((func, handed_on),) = queued_sends()
    assert func == "send_bursts" and sorted(handed_on) == sorted(i.pk for i in bursting)
    assert OutboundMessage.objects.filter(status=OutboundStatus.SENT).count() == 3 * BATCH


def test_a_pass_spreads_its_bursts_over_the_workers_and_keeps_paced_turns_together(
    bursting, two_numbers
):
    now = timezone.now()

    enqueue_turns([(instance.pk, now) for instance in [*two_numbers, *bursting]])

    first, *rest = queued_sends()
    assert first == ("send_turns", [instance.pk for instance in two_numbers])
    assert [(func, len(pks)) for func, pks in rest] == [("send_turns", 2), ("send_turns", 1)]
    assert sorted(pk for _, pks in rest for pk in pks) == sorted(i.pk for i in bursting)


def test_a_pass_with_more_turns_than_threads_goes_out_as_several_tasks(db):
    now = timezone.now()
    OrmQ.objects.all().delete()

    enqueue_turns([(pk, now) for pk in range(1, SEND_THREADS + 3)])

    assert [len(pks) for _, pks in queued_sends()] == [SEND_THREADS, 2]

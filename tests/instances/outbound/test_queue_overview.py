"""The instance list, the instance page and the dashboard show each queue's depth, what went out
today against the day's cap, and why sending is paused."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from instances.models import Instance, OutboundMessage, QueueSettings, SendAttempt
from instances.models import OutboundStatus as S
from instances.outbound.overview import overviews, with_queue_counts
from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db


def queue(instance, status=S.QUEUED, n=1, chat="4915100000001@c.us"):
    return [
        OutboundMessage.objects.create(instance=instance, chat_id=chat, kind="text", status=status)
        for _ in range(n)
    ]


def attempt(message, started_at, outcome=SendAttempt.Outcome.SENT):
    SendAttempt.objects.create(
        message=message,
        instance_id=message.instance_id,
        worker="w",
        started_at=started_at,
        outcome=outcome,
    )


def overview_of(instance, now=None):
    return overviews(with_queue_counts(Instance.objects.filter(pk=instance.pk)), now)[instance.pk]


def test_the_list_shows_depth_sent_today_against_the_cap_and_the_pause_reason(client_for, operator):
    instance = InstanceFactory(name="Sales")
    QueueSettings.objects.create(
        instance=instance, per_day_cap=300, paused=True, pause_reason="Error 463 from WhatsApp."
    )
    queue(instance, n=2)
    for message in queue(instance, status=S.SENT, n=3):
        attempt(message, timezone.now())

    page = client_for(operator).get(reverse("instances:list")).content.decode()

    row = page[page.index(f'data-instance="{instance.pk}"') :]
    assert "Sending paused: Error 463 from WhatsApp." in row
    assert '<td data-label="Queue">2</td>' in row
    assert "3 of 300" in row


def test_a_warming_up_number_shows_the_lower_cap_of_today(client_for, operator):
    instance = InstanceFactory()
    QueueSettings.objects.create(
        instance=instance,
        per_day_cap=1000,
        warmup_start_cap=20,
        warmup_daily_increase=10,
        warmup_started_on=timezone.localdate() - timedelta(days=2),
    )

    page = client_for(operator).get(reverse("instances:list")).content.decode()

    assert "0 of 40" in page and "(warming up)" in page


def test_today_starts_at_midnight_in_the_instances_own_time_zone():
    instance = InstanceFactory()
    QueueSettings.objects.create(instance=instance, time_zone="America/New_York")
    zone = ZoneInfo("America/New_York")
    now = datetime(2026, 3, 10, 12, 0, tzinfo=zone)
    before_midnight, after_midnight = queue(instance, status=S.SENT, n=2)
    attempt(before_midnight, datetime(2026, 3, 9, 23, 30, tzinfo=zone))
    attempt(after_midnight, datetime(2026, 3, 10, 0, 30, tzinfo=zone))
    # A person's decision on an unconfirmed message is not a send.
    attempt(after_midnight, datetime(2026, 3, 10, 1, 0, tzinfo=zone), SendAttempt.Outcome.DECIDED)

    assert overview_of(instance, now).sent_today == 1


def test_the_list_needs_the_same_queries_for_few_and_many_instances(
    client_for, admin, django_assert_max_num_queries
):
    client = client_for(admin)
    for index in range(3):
        instance = InstanceFactory()
        QueueSettings.objects.create(instance=instance, time_zone=["UTC", "Asia/Tokyo"][index % 2])
        attempt(queue(instance, status=S.SENT)[0], timezone.now())
    client.get(reverse("instances:list"))
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("instances:list"))
    for _ in range(20):
        attempt(queue(InstanceFactory(), status=S.SENT)[0], timezone.now())

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("instances:list"))

    assert response.status_code == 200


def test_the_instance_page_offers_the_queue_actions_that_apply(client_for, operator, admin):
    instance = InstanceFactory()
    queue(instance, n=4)
    queue(instance, status=S.FAILED, n=2)

    page = client_for(operator).get(instance.get_absolute_url()).content.decode()

    assert "4 waiting to be sent · 0 of 1000 sent today · 2 failed" in page
    assert reverse("messages:retry_failed", args=[instance.pk]) in page
    assert reverse("messages:clear_queue", args=[instance.pk]) in page
    assert "Change the pace" not in page
    assert (
        "Change the pace or pause"
        in client_for(admin).get(instance.get_absolute_url()).content.decode()
    )


def test_an_empty_queue_offers_no_actions(client_for, operator):
    instance = InstanceFactory()

    page = client_for(operator).get(instance.get_absolute_url()).content.decode()

    assert reverse("messages:clear_queue", args=[instance.pk]) not in page
    assert reverse("messages:retry_failed", args=[instance.pk]) not in page


def test_the_dashboard_sums_the_queues_and_names_paused_numbers(client_for, operator):
    sales, support = InstanceFactory(name="Sales"), InstanceFactory(name="Support")
    QueueSettings.objects.create(instance=sales, per_day_cap=100)
    QueueSettings.objects.create(
        instance=support,
        per_day_cap=50,
        paused=True,
        pause_reason="Paused by ana on the pace page.",
    )
    queue(sales, n=3)
    attempt(queue(support, status=S.SENT)[0], timezone.now())

    page = client_for(operator).get(reverse("home")).content.decode()

    assert "3 queued · 1 of 150 sent today" in page
    assert "Sending is paused on" in page and "Paused by ana on the pace page." in page


def test_the_daily_cap_of_a_number_without_settings_is_the_default():
    instance = InstanceFactory()

    overview = overview_of(instance, datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC")))

    assert (overview.cap, overview.sent_today, overview.paused) == (1000, 0, False)

"""The receiver keeps the instance a webhook names for a few seconds instead of reading its row
on every webhook, and never longer than that or past a change made in the same process."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inbox.models import ConversationMessage
from instances import instance_cache
from instances.instance_cache import KEEP_SECONDS, kept_instance
from instances.models import Instance
from tests.factories import InstanceFactory
from tests.inbox.webhooks import envelope, post

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(instance_cache, "clock", clock)
    return clock


def instance_reads(queries) -> list[str]:
    return [query["sql"] for query in queries if 'FROM "instances_instance"' in query["sql"]]


def message_event(n: int) -> dict:
    data = envelope("message", id=f"false_4917612345678@c.us_M{n}")
    data["id"] = f"evt_{n}"
    return data


def test_a_second_webhook_soon_after_the_first_reads_no_instance_row(client, clock):
    instance = InstanceFactory()
    post(client, instance, message_event(1))
    with CaptureQueriesContext(connection) as queries:
        post(client, instance, message_event(2))
    assert instance_reads(queries.captured_queries) == []
    assert ConversationMessage.objects.count() == 2


def test_the_row_is_read_again_once_the_seconds_are_over(clock):
    instance = InstanceFactory(name="Before")
    assert kept_instance(instance.uuid).name == "Before"
    # An edit in another process: no signal reaches this one.
    Instance.objects.filter(pk=instance.pk).update(name="After")
    clock.now += KEEP_SECONDS - 0.1
    assert kept_instance(instance.uuid).name == "Before"
    clock.now += 0.2
    assert kept_instance(instance.uuid).name == "After"


def test_saving_or_deleting_an_instance_in_this_process_is_seen_at_once(client, clock):
    instance = InstanceFactory(name="Before")
    assert kept_instance(instance.uuid).name == "Before"
    instance.name = "After"
    instance.save()
    assert kept_instance(instance.uuid).name == "After"
    uuid = instance.uuid
    instance.delete()
    assert kept_instance(uuid) is None
    response = client.post(f"/hooks/{uuid}/", data=b"{}", content_type="application/json")
    assert response.status_code == 404

"""Whole-queue actions: send every failed message again (optionally only since a date and only
the newest per chat), and clear an instance's queue after a confirmation that shows what goes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from instances.models import OutboundMessage
from instances.models import OutboundStatus as S
from instances.outbound import enqueue
from instances.outbound.actions import clear_queue, retry_failed
from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + bytes(100)


@pytest.fixture
def instance():
    return InstanceFactory(name="Sales")


def message(instance, status, chat="4915100000001@c.us", text="Hello", days_ago=0):
    row = OutboundMessage.objects.create(
        instance=instance,
        chat_id=chat,
        kind="text",
        payload={"text": text},
        status=status,
        attempts=5,
        last_error="The gateway failed (HTTP 503).",
    )
    if days_ago:
        created = timezone.now() - timedelta(days=days_ago)
        OutboundMessage.objects.filter(pk=row.pk).update(created_at=created)
    return row


def statuses(*rows):
    return [OutboundMessage.objects.get(pk=row.pk).status for row in rows]


def test_the_confirmation_shows_how_many_failed_messages_go_again_and_some_of_them(
    client_for, operator, instance
):
    for index in range(7):
        message(instance, S.FAILED, text=f"Reminder {index}")
    message(instance, S.SENT, text="Already there")

    page = client_for(operator).get(reverse("messages:retry_failed", args=[instance.pk]))

    body = page.content.decode()
    assert page.context["count"] == 7
    assert "<strong>7</strong> failed messages will be queued again" in body
    assert "The newest 5 of them" in body and "Reminder 6" in body and "Reminder 1" not in body
    assert "Already there" not in body


def test_retrying_all_queues_every_failed_message_with_fresh_attempts(
    client_for, operator, instance
):
    failed = [message(instance, S.FAILED) for _ in range(3)]
    sent = message(instance, S.SENT)
    other = message(InstanceFactory(), S.FAILED)

    response = client_for(operator).post(
        reverse("messages:retry_failed", args=[instance.pk]), {"since": "", "last_per_chat": ""}
    )

    assert response.status_code == 302
    assert statuses(*failed) == [S.QUEUED] * 3
    assert statuses(sent, other) == [S.SENT, S.FAILED]
    row = OutboundMessage.objects.get(pk=failed[0].pk)
    assert (row.attempts, row.last_error) == (0, "")
    assert (
        "Queued 3 failed messages again."
        in client_for(operator).get(response["Location"]).content.decode()
    )


def test_only_since_a_date_and_only_the_newest_per_chat(client_for, operator, instance):
    old = message(instance, S.FAILED, chat="1@c.us", days_ago=10)
    first = message(instance, S.FAILED, chat="1@c.us", days_ago=1)
    newest = message(instance, S.FAILED, chat="1@c.us")
    other_chat = message(instance, S.FAILED, chat="2@c.us")
    since = (timezone.localdate() - timedelta(days=3)).isoformat()
    url = reverse("messages:retry_failed", args=[instance.pk])
    client = client_for(operator)

    preview = client.get(url, {"since": since, "last_per_chat": "on"})
    client.post(url, {"since": since, "last_per_chat": "True"})

    assert preview.context["count"] == 2
    assert statuses(old, first, newest, other_chat) == [S.FAILED, S.FAILED, S.QUEUED, S.QUEUED]


def test_a_bad_date_is_refused_at_its_field_and_nothing_is_retried(client_for, operator, instance):
    failed = message(instance, S.FAILED)

    response = client_for(operator).post(
        reverse("messages:retry_failed", args=[instance.pk]), {"since": "yesterday-ish"}
    )

    assert response.status_code == 200
    assert "Enter a valid date." in response.context["form"].errors["since"]
    assert statuses(failed) == [S.FAILED]


def test_nothing_to_retry_says_so(client_for, operator, instance):
    page = client_for(operator).get(reverse("messages:retry_failed", args=[instance.pk]))

    assert "No failed messages" in page.content.decode()


def test_a_failed_message_whose_file_was_deleted_is_not_retried(instance):
    upload = SimpleUploadedFile("a.png", PNG)
    lost = enqueue(instance, "+4915100000001", "image", {}, upload=upload)
    OutboundMessage.objects.filter(pk=lost.pk).update(status=S.FAILED, media_name="")
    plain = message(instance, S.FAILED)

    assert retry_failed(instance) == 1
    assert statuses(lost, plain) == [S.FAILED, S.QUEUED]


def test_clearing_confirms_with_the_count_and_a_sample_then_cancels_only_queued_messages(
    client_for, operator, instance
):
    queued = [message(instance, S.QUEUED, text=f"Offer {index}") for index in range(6)]
    sending = message(instance, S.SENDING)
    other = message(InstanceFactory(), S.QUEUED)
    client = client_for(operator)
    url = reverse("messages:clear_queue", args=[instance.pk])

    page = client.get(url).content.decode()
    response = client.post(url)

    assert "This cancels <strong>6</strong> messages" in page
    assert "The first 5 of them" in page and "Offer 0" in page and "Offer 5" not in page
    assert response.status_code == 302
    assert statuses(*queued) == [S.CANCELLED] * 6
    assert statuses(sending, other) == [S.SENDING, S.QUEUED]


def test_clearing_deletes_the_files_of_cancelled_messages(instance, media_root):
    upload = SimpleUploadedFile("a.png", PNG)
    with_file = enqueue(instance, "+4915100000001", "image", {}, upload=upload)

    assert clear_queue(instance) == 1

    assert OutboundMessage.objects.get(pk=with_file.pk).media_name == ""
    assert not any(Path(media_root).rglob("*.png"))


def test_an_empty_queue_has_nothing_to_clear(client_for, operator, instance):
    page = client_for(operator).get(reverse("messages:clear_queue", args=[instance.pk]))

    assert "Nothing is waiting to be sent from Sales." in page.content.decode()


@pytest.mark.parametrize("name", ["messages:retry_failed", "messages:clear_queue"])
def test_an_agent_cannot_act_on_a_queue(client_for, agent, instance, name):
    queued = message(instance, S.QUEUED)
    failed = message(instance, S.FAILED)

    response = client_for(agent).post(reverse(name, args=[instance.pk]))

    assert response.status_code == 403
    assert statuses(queued, failed) == [S.QUEUED, S.FAILED]


def test_the_message_list_of_one_number_links_to_its_queue_actions(client_for, operator, instance):
    client = client_for(operator)

    one = client.get(reverse("messages:list"), {"instance": instance.pk}).content.decode()
    every = client.get(reverse("messages:list")).content.decode()

    assert reverse("messages:clear_queue", args=[instance.pk]) in one
    assert reverse("messages:retry_failed", args=[instance.pk]) in one
    assert reverse("messages:clear_queue", args=[instance.pk]) not in every

"""Composing, listing and deciding on messages from the dashboard."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from instances.models import InstanceStatus, OutboundMessage, QueueSettings, SendAttempt
from instances.models import OutboundStatus as S
from instances.outbound import enqueue
from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db

COMPOSE = reverse("messages:compose")


@pytest.fixture
def operator_client(client, operator):
    client.force_login(operator)
    return client


@pytest.fixture
def instance():
    return InstanceFactory(name="Sales", status=InstanceStatus.WORKING)


def post_compose(client, instance, kind="text", **fields):
    data = {"instance": instance.pk, "to": "+49 151 2345 6789", "kind": kind, "priority": 0}
    return client.post(COMPOSE, {**data, **fields})


def test_composing_a_text_queues_it_and_shows_it(operator_client, instance):
    response = post_compose(operator_client, instance, text="Ihre Bestellung ist da")

    message = OutboundMessage.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("messages:detail", args=[message.pk])
    assert (message.chat_id, message.status) == ("4915123456789@c.us", S.QUEUED)
    assert message.payload == {"text": "Ihre Bestellung ist da", "link_preview": False}
    page = operator_client.get(response["Location"]).content.decode()
    assert "Ihre Bestellung ist da" in page and "Queued" in page


def test_each_error_is_shown_by_its_field_and_nothing_is_queued(operator_client, instance):
    response = post_compose(operator_client, instance, to="hello", text="x" * 4097)

    assert response.status_code == 200
    form = response.context["form"]
    assert "not a valid phone number" in form.errors["to"][0]
    assert "At most 4096 characters" in form.errors["text"][0]
    assert not OutboundMessage.objects.exists()


def test_a_poll_with_one_option_is_refused_at_the_options_field(operator_client, instance):
    response = post_compose(operator_client, instance, "poll", name="Lunch?", options="Pizza")

    assert "2 to 12 options" in response.context["form"].errors["options"][0]


def test_a_list_is_built_from_its_rows_and_a_long_row_title_is_refused(operator_client):
    instance = InstanceFactory(name="Sales", engine="messagepro", status=InstanceStatus.WORKING)
    fields = {"title": "Menu", "description": "Pick", "button_text": "Open"}
    fields["section_title"] = "Pizza"

    refused = post_compose(operator_client, instance, "list", rows=f"1 | {'x' * 61}", **fields)
    accepted = post_compose(
        operator_client, instance, "list", rows="1 | Margherita | tomato\n2 | Funghi", **fields
    )

    assert "At most 60" in refused.context["form"].errors["rows"][0]
    assert accepted.status_code == 302
    (section,) = OutboundMessage.objects.get().payload["sections"]
    assert section["rows"] == [
        {"id": "1", "title": "Margherita", "description": "tomato"},
        {"id": "2", "title": "Funghi"},
    ]


def test_choosing_a_type_swaps_in_its_fields(operator_client):
    response = operator_client.get(COMPOSE, {"kind": "location"}, headers={"HX-Request": "true"})

    page = response.content.decode()
    assert 'id="kind-fields"' in page and 'name="latitude"' in page
    assert "<html" not in page
    assert 'name="text"' not in page


def test_agents_may_not_compose(client, agent, instance):
    client.force_login(agent)

    assert client.get(COMPOSE).status_code == 403
    assert post_compose(client, instance, text="Hi").status_code == 403
    assert not OutboundMessage.objects.exists()


def test_the_list_filters_counts_and_keeps_a_fixed_query_budget(
    operator_client, instance, django_assert_max_num_queries
):
    other = InstanceFactory(name="Support", status=InstanceStatus.WORKING)
    for n in range(30):
        enqueue(instance if n % 2 else other, "+4915123456789", "text", {"text": f"m{n}"})
    OutboundMessage.objects.filter(instance=other).update(status=S.FAILED)

    with django_assert_max_num_queries(12):
        response = operator_client.get(reverse("messages:list"), {"instance": instance.pk})

    assert len(response.context["page"].object_list) == 15
    counts = {value: count for value, _, count in response.context["counts"]}
    assert counts[S.QUEUED] == 15 and counts[S.FAILED] == 0


def test_an_empty_list_says_what_to_do(operator_client):
    page = operator_client.get(reverse("messages:list")).content.decode()

    assert "No messages" in page and "Compose a message" in page


def test_cancel_asks_first_then_cancels_a_queued_message(operator_client, instance):
    message = enqueue(instance, "+4915123456789", "text", {"text": "Hi"})
    url = reverse("messages:action", args=[message.pk, "cancel"])

    assert "Cancel this message?" in operator_client.get(url).content.decode()
    message.refresh_from_db()
    assert message.status == S.QUEUED

    operator_client.post(url)
    message.refresh_from_db()
    assert message.status == S.CANCELLED


def test_a_sent_message_cannot_be_cancelled(operator_client, instance):
    message = enqueue(instance, "+4915123456789", "text", {"text": "Hi"})
    OutboundMessage.objects.filter(pk=message.pk).update(status=S.SENT)

    response = operator_client.post(
        reverse("messages:action", args=[message.pk, "cancel"]), follow=True
    )

    assert "A sent message cannot be cancelled." in response.content.decode()
    message.refresh_from_db()
    assert message.status == S.SENT


def test_an_unconfirmed_message_is_decided_by_a_person_with_a_warning(
    operator_client, operator, instance
):
    message = enqueue(instance, "+4915123456789", "text", {"text": "Hi"})
    OutboundMessage.objects.filter(pk=message.pk).update(status=S.UNCONFIRMED)
    url = reverse("messages:action", args=[message.pk, "resend"])

    assert "may deliver it twice" in operator_client.get(url).content.decode()
    operator_client.post(url)

    message.refresh_from_db()
    assert message.status == S.QUEUED
    note = SendAttempt.objects.get(message=message)
    assert note.outcome == "decided" and operator.username in note.detail


def test_a_failed_message_can_be_retried(operator_client, instance):
    message = enqueue(instance, "+4915123456789", "text", {"text": "Hi"})
    OutboundMessage.objects.filter(pk=message.pk).update(status=S.FAILED, attempts=5)

    operator_client.post(reverse("messages:action", args=[message.pk, "retry"]))

    message.refresh_from_db()
    assert (message.status, message.attempts) == (S.QUEUED, 0)


def test_a_paused_instance_is_explained_and_can_be_resumed(operator_client, instance):
    QueueSettings.objects.create(instance=instance, paused=True, pause_reason="error 463")

    page = operator_client.get(reverse("messages:list")).content.decode()
    assert "Sending is paused on Sales." in page and "error 463" in page

    operator_client.post(reverse("messages:resume", args=[instance.pk]))
    assert not QueueSettings.objects.get(instance=instance).paused


def test_messages_for_an_unlinked_number_say_why_they_wait(operator_client):
    waiting = InstanceFactory(name="Night shift", status=InstanceStatus.SCAN_QR_CODE)
    enqueue(waiting, "+4915123456789", "text", {"text": "Hi"})

    page = operator_client.get(reverse("messages:list")).content.decode()

    assert "are waiting: the number is waiting for qr scan" in page


def test_the_message_page_polls_until_nothing_more_can_happen(operator_client, instance):
    message = enqueue(instance, "+4915123456789", "text", {"text": "Hi"})
    url = reverse("messages:detail", args=[message.pk])
    htmx = {"HX-Request": "true"}

    first = operator_client.get(url, headers=htmx).content.decode()
    cursor = re.search(r"\?cursor=(\w+)", first).group(1)
    assert 'id="message-state"' in first and "<html" not in first
    assert operator_client.get(url, {"cursor": cursor}, headers=htmx).status_code == 204

    OutboundMessage.objects.filter(pk=message.pk).update(status=S.READ)
    last = operator_client.get(url, {"cursor": cursor}, headers=htmx)
    assert last.status_code == 286
    assert "Read" in last.content.decode()

"""A chat-api and a WhautoChat instance, added through the form and sending through the queue
to their simulators over real HTTP; chat-api's webhooks reach a live server."""

from __future__ import annotations

import random

import pytest
from django.urls import reverse

from inbox.models import WebhookEvent
from instances import tasks
from instances.models import Instance, InstanceStatus, OutboundMessage, QueueSettings
from instances.models import OutboundStatus as S
from instances.outbound import enqueue
from instances.outbound.dispatcher import NO_MESSAGE_ID_DETAIL, send_next
from tests.companion_fixture import CHATAPI_INSTANCE, CHATAPI_TOKEN, WHAUTOCHAT_KEY
from tests.refused_address import REFUSED_URL

pytestmark = pytest.mark.django_db(transaction=True)

TO = "+17472822486"


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def add_instance(admin_client, engine: str, base_url: str, session: str, key: str) -> Instance:
    response = admin_client.post(
        reverse("instances:create"),
        {
            "name": f"E2E {engine}",
            "engine": engine,
            "base_url": base_url,
            "session_name": session,
            "api_key": key,
        },
    )
    assert response.status_code == 302
    instance = Instance.objects.get(engine=engine)
    QueueSettings.objects.update_or_create(
        instance=instance, defaults={"min_delay_seconds": 0, "max_delay_seconds": 0}
    )
    return instance


def send_queued(instance: Instance):
    return send_next(instance.pk, rng=random.Random(3))


def test_a_chatapi_send_goes_out_without_an_id_and_gets_its_ticks_from_the_history(
    admin_client, chatapi_sim, live_server, settings
):
    settings.PUBLIC_BASE_URL = live_server.url
    instance = add_instance(
        admin_client, "chatapi", chatapi_sim.url, CHATAPI_INSTANCE, CHATAPI_TOKEN
    )

    # Saving set the instance up as Start would: chat-api has no session to start.
    instance.refresh_from_db()
    assert chatapi_sim.webhook_url == instance.webhook_url
    assert instance.status == InstanceStatus.SCAN_QR_CODE
    qr_panel = admin_client.get(reverse("instances:qr", args=[instance.pk])).content.decode()
    assert "data:image/png;base64," in qr_panel

    chatapi_sim.scan()
    admin_client.post(reverse("instances:refresh", args=[instance.pk]))
    instance.refresh_from_db()
    assert instance.status == InstanceStatus.WORKING

    message = enqueue(instance, TO, "text", {"text": "Your order shipped"})
    assert send_queued(instance).status == S.SENT
    assert chatapi_sim.wait_idle()
    message.refresh_from_db()
    assert (message.status, message.provider_id) == (S.SENT, "")
    assert message.tries.get().detail == NO_MESSAGE_ID_DETAIL
    # The acks came before anything could match them; they are kept all the same.
    assert WebhookEvent.objects.filter(instance=instance, kind="ack").count() == 2

    tasks.poll_instance_status(instance.pk)

    message.refresh_from_db()
    assert message.provider_id == chatapi_sim.history[0]["id"]
    assert message.status == S.READ
    page = admin_client.get(reverse("messages:detail", args=[message.pk])).content.decode()
    assert "Read" in page and message.provider_id in page
    instance.refresh_from_db()
    assert instance.history_cursor == 1


def test_a_chatapi_instance_is_added_even_when_its_engine_cannot_be_reached(admin_client):
    response = admin_client.post(
        reverse("instances:create"),
        {
            "name": "Far away",
            "engine": "chatapi",
            "base_url": REFUSED_URL,
            "session_name": CHATAPI_INSTANCE,
            "api_key": CHATAPI_TOKEN,
        },
        follow=True,
    )

    assert Instance.objects.filter(name="Far away").exists()
    assert "but the engine could not be set up: Cannot reach the gateway" in (
        response.content.decode()
    )


def test_the_chatapi_queue_is_shown_and_cleared_after_confirmation(
    admin_client, chatapi_sim, settings
):
    instance = add_instance(
        admin_client, "chatapi", chatapi_sim.url, CHATAPI_INSTANCE, CHATAPI_TOKEN
    )
    Instance.objects.filter(pk=instance.pk).update(status=InstanceStatus.WORKING)
    enqueue(instance, TO, "text", {"text": "Waiting for the phone"})
    send_queued(instance)

    detail = admin_client.get(instance.get_absolute_url()).content.decode()
    assert reverse("instances:engine_queue", args=[instance.pk]) in detail
    page = admin_client.get(reverse("instances:engine_queue", args=[instance.pk])).content.decode()
    assert "1 message waiting on the engine" in page
    assert "Waiting for the phone" in page

    confirm = admin_client.get(reverse("instances:clear_engine_queue", args=[instance.pk]))
    assert b"never sent" in confirm.content
    assert len(chatapi_sim.queue) == 1

    response = admin_client.post(
        reverse("instances:clear_engine_queue", args=[instance.pk]), follow=True
    )

    assert chatapi_sim.queue == []
    assert b"Cleared 1 messages from the engine" in response.content
    assert b"Nothing is waiting on the engine" in response.content


def test_a_whautochat_instance_is_ready_at_once_and_sends_a_template(admin_client, whautochat_sim):
    instance = add_instance(
        admin_client, "whautochat", whautochat_sim.url, "ws_demo", WHAUTOCHAT_KEY
    )
    instance.refresh_from_db()
    assert instance.status == InstanceStatus.WORKING

    page = admin_client.get(instance.get_absolute_url()).content.decode()
    assert "Cloud gateway, always ready" in page
    assert reverse("instances:action", args=[instance.pk, "start"]) not in page
    assert "Link a number" not in page

    compose = admin_client.get(reverse("messages:compose")).content.decode()
    assert 'value="template"' in compose
    response = admin_client.post(
        reverse("messages:compose"),
        {
            "instance": instance.pk,
            "to": TO,
            "kind": "template",
            "priority": 0,
            "template": "order_shipped",
        },
    )
    assert response.status_code == 302
    message = OutboundMessage.objects.get(instance=instance)

    assert send_queued(instance).status == S.SENT

    message.refresh_from_db()
    (sent,) = whautochat_sim.sent
    assert sent["template"] == "order_shipped"
    assert sent["recepient"] == {"phoneNumber": TO}
    assert sent["workspace"] == {"id": "ws_demo"}
    assert message.provider_id == sent["id"]
    detail = admin_client.get(reverse("messages:detail", args=[message.pk])).content.decode()
    assert sent["id"] in detail


def test_test_connection_checks_the_whautochat_key(admin_client, whautochat_sim):
    form = {
        "name": "Cloud",
        "engine": "whautochat",
        "base_url": whautochat_sim.url,
        "session_name": "ws_demo",
    }

    good = admin_client.post(
        reverse("instances:test_connection"), {**form, "api_key": WHAUTOCHAT_KEY}
    )
    bad = admin_client.post(reverse("instances:test_connection"), {**form, "api_key": "wrong"})

    assert b"Connected and authenticated" in good.content
    assert b"The gateway refused the API key" in bad.content
    assert whautochat_sim.sent == []

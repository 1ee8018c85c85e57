"""Each event kind, made by the real service where it happens, becomes one delivery per
subscriber after commit, with the data the API names the same way; nobody subscribing costs
no query."""

from __future__ import annotations

import random

import httpx
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from api.models import ApiBatch
from api.outgoing.events import subscriber_ids
from api.outgoing.models import OutgoingEvent, WebhookDelivery
from campaigns import contact_services
from campaigns.feeder import feed_campaign
from campaigns.models import Campaign, CampaignStatus, Contact
from campaigns.services import finish_campaign
from campaigns.signals import contacts_opted_out
from instances.engines.base import Ack
from instances.models import InstanceStatus, OutboundMessage, QueueSettings
from instances.models import OutboundStatus as S
from instances.outbound import enqueue
from instances.outbound.dispatcher import MAX_ATTEMPTS, send_next
from instances.outbound.status import apply_ack
from instances.signals import message_status_changed
from tests.api.webhook_helpers import data_of, subscribe
from tests.factories import ContactFactory, InstanceFactory
from tests.inbox.webhooks import envelope, post
from tests.simulator_fixture import SIMULATOR_TEST_API_KEY

pytestmark = pytest.mark.django_db

E = OutgoingEvent


def sent_message(provider_id: str = "true_4915123456789@c.us_ABC"):
    message = enqueue(InstanceFactory(), "+4915123456789", "text", {"text": "Hi"})
    message.status, message.provider_id = S.SENT, provider_id
    message.save()
    return message


@pytest.fixture
def linked(simulator, db):
    """An instance whose `default` session on the simulator is WORKING, pacing off."""
    api = httpx.Client(base_url=simulator.url, headers={"X-Api-Key": simulator.api_key})
    with api:
        api.post("/api/sessions", json={"name": "default"}).raise_for_status()
        api.get("/api/sessions/default")
        api.post("/simulator/sessions/default/scan", json={"phone": "+15550001234"})
    instance = InstanceFactory(
        base_url=simulator.url,
        session_name="default",
        api_key=SIMULATOR_TEST_API_KEY,
        status=InstanceStatus.WORKING,
    )
    QueueSettings.objects.create(instance=instance, min_delay_seconds=0, max_delay_seconds=0)
    return instance


def test_an_ack_becomes_a_status_event_for_every_subscriber(
    django_capture_on_commit_callbacks,
):
    subscribe("https://crm.example/a")
    subscribe("https://crm.example/b", [E.MESSAGE_STATUS])
    subscribe("https://crm.example/c", [E.CONTACT_OPTED_OUT])
    message = sent_message()

    with django_capture_on_commit_callbacks(execute=True):
        apply_ack(message.instance, message.provider_id, Ack.DEVICE)

    deliveries = WebhookDelivery.objects.order_by("subscriber__url")
    assert [d.subscriber.url for d in deliveries] == [
        "https://crm.example/a",
        "https://crm.example/b",
    ]
    first, second = (delivery.body for delivery in deliveries)
    assert first == second, "every subscriber gets the same event, with the same id"
    assert first["event"] == "message.status" and first["createdAt"].endswith("Z")
    assert first["data"] == {
        "id": str(message.client_id),
        "profileId": str(message.instance.uuid),
        "chatId": message.chat_id,
        "status": "delivered",
        "error": None,
    }


def test_a_send_through_the_simulator_reports_sent(linked, django_capture_on_commit_callbacks):
    subscribe(events=[E.MESSAGE_STATUS])
    message = enqueue(linked, "+4915123456789", "text", {"text": "Your order shipped"})

    with django_capture_on_commit_callbacks(execute=True):
        send_next(linked.pk, rng=random.Random(7))

    statuses = [data["status"] for data in data_of(E.MESSAGE_STATUS)]
    assert statuses[0] == "sent"
    assert {data["id"] for data in data_of(E.MESSAGE_STATUS)} == {str(message.client_id)}


def test_a_send_that_gives_up_reports_failed_with_the_reason(
    linked, django_capture_on_commit_callbacks
):
    subscribe(events=[E.MESSAGE_STATUS])
    message = enqueue(linked, "+4915123456789", "text", {"text": "Hi"})
    OutboundMessage.objects.filter(pk=message.pk).update(attempts=MAX_ATTEMPTS - 1)
    httpx.post(
        f"{linked.base_url}/simulator/faults",
        headers={"X-Api-Key": SIMULATOR_TEST_API_KEY},
        json={"rate_500": 1},
    ).raise_for_status()

    with django_capture_on_commit_callbacks(execute=True):
        send_next(linked.pk, rng=random.Random(7))

    (data,) = data_of(E.MESSAGE_STATUS)
    assert data["status"] == "failed"
    assert data["error"].startswith(f"Gave up after {MAX_ATTEMPTS} attempts")


def test_an_inbound_message_through_the_receiver_is_reported(
    client, django_capture_on_commit_callbacks
):
    subscribe(events=[E.MESSAGE_RECEIVED])
    instance = InstanceFactory()

    with django_capture_on_commit_callbacks(execute=True):
        post(client, instance, envelope("message"))

    (data,) = data_of(E.MESSAGE_RECEIVED)
    assert data["id"] == "false_4917612345678@c.us_3EB0C767D26A1D8F4A21"
    assert data["profileId"] == str(instance.uuid)
    assert data["chatId"] == data["from"] == "4917612345678@c.us"
    assert data["text"] == "Hallo! Ist meine Bestellung schon unterwegs?"
    assert data["hasMedia"] is False


def test_an_instance_status_change_through_the_receiver_is_reported(
    client, django_capture_on_commit_callbacks
):
    subscribe(events=[E.INSTANCE_STATUS])
    instance = InstanceFactory(status=InstanceStatus.SCAN_QR_CODE)

    with django_capture_on_commit_callbacks(execute=True):
        post(client, instance, envelope("session.status"))

    (data,) = data_of(E.INSTANCE_STATUS)
    assert data == {
        "profileId": str(instance.uuid),
        "name": instance.name,
        "status": "WORKING",
        "previousStatus": "SCAN_QR_CODE",
        "phone": "+4915112345678",
    }


def test_finishing_a_campaign_by_hand_or_by_the_feeder_is_reported_with_its_batch(
    django_capture_on_commit_callbacks,
):
    subscribe(events=[E.CAMPAIGN_FINISHED])
    by_hand = Campaign.objects.create(name="Spring sale", status=CampaignStatus.RUNNING)
    emptied = Campaign.objects.create(name="Summer sale", status=CampaignStatus.RUNNING)

    batch = ApiBatch.objects.create(campaign=by_hand)

    with django_capture_on_commit_callbacks(execute=True):
        finish_campaign(by_hand)
        feed_campaign(emptied.pk)

    finished = {data["campaignId"]: data for data in data_of(E.CAMPAIGN_FINISHED)}
    assert finished.keys() == {by_hand.pk, emptied.pk}
    assert finished[by_hand.pk]["name"] == "Spring sale"
    assert finished[by_hand.pk]["batchId"] == str(batch.uuid)
    assert finished[emptied.pk]["batchId"] is None
    assert finished[emptied.pk]["status"] == "finished"
    assert finished[emptied.pk]["finishedAt"]


def test_opt_outs_by_hand_in_bulk_and_by_stop_are_reported(
    client, django_capture_on_commit_callbacks
):
    subscribe(events=[E.CONTACT_OPTED_OUT])
    one, two, three = ContactFactory(), ContactFactory(), ContactFactory()
    ContactFactory(opted_out=True)

    with django_capture_on_commit_callbacks(execute=True):
        contact_services.opt_out(one, "Asked on the phone")
        contact_services.opt_out_contacts(Contact.objects.filter(pk__in=[two.pk, three.pk]), "Bulk")
        post(client, InstanceFactory(), envelope("message", body="STOP"))

    opted = {data["phone"]: data for data in data_of(E.CONTACT_OPTED_OUT)}
    assert opted.keys() == {one.phone, two.phone, three.phone, "+4917612345678"}
    assert opted[one.phone] == {
        "contactId": one.pk,
        "phone": one.phone,
        "reason": "Asked on the phone",
    }
    assert opted[two.phone]["reason"] == "Bulk"


def test_a_change_rolled_back_emits_nothing(django_capture_on_commit_callbacks):
    subscribe()
    message = sent_message()

    capture = django_capture_on_commit_callbacks(execute=True)
    with capture, pytest.raises(RuntimeError), transaction.atomic():
        apply_ack(message.instance, message.provider_id, Ack.READ)
        raise RuntimeError("the change fails after the ack")

    assert not WebhookDelivery.objects.exists()


def test_nobody_subscribing_costs_an_ack_no_query():
    subscribe(events=[E.CONTACT_OPTED_OUT])
    message = sent_message()
    subscriber_ids(E.MESSAGE_STATUS)  # This process has read the subscribers once.

    with CaptureQueriesContext(connection) as emitting:
        assert apply_ack(message.instance, message.provider_id, Ack.DEVICE)
    message_status_changed.disconnect(dispatch_uid="webhooks-message-status")
    try:
        with CaptureQueriesContext(connection) as silent:
            assert apply_ack(message.instance, message.provider_id, Ack.READ)
    finally:
        from api.outgoing.receivers import connect

        connect()

    assert len(emitting.captured_queries) == len(silent.captured_queries)
    assert not [q for q in emitting.captured_queries if "webhook" in q["sql"].lower()]


def test_many_subscribers_cost_one_insert_and_one_task(django_capture_on_commit_callbacks):
    for n in range(5):
        subscribe(f"https://crm.example/{n}")
    message = sent_message()

    capture = django_capture_on_commit_callbacks(execute=True)
    with CaptureQueriesContext(connection) as queries, capture:
        apply_ack(message.instance, message.provider_id, Ack.DEVICE)

    sql = [q["sql"] for q in queries.captured_queries]
    assert len([s for s in sql if s.startswith('INSERT INTO "api_webhookdelivery"')]) == 1
    assert len([s for s in sql if s.startswith('INSERT INTO "django_q_ormq"')]) == 1
    assert WebhookDelivery.objects.count() == 5


def test_an_event_that_cannot_be_built_never_breaks_the_change(caplog):
    subscribe(events=[E.CONTACT_OPTED_OUT])

    def unreadable():
        raise ValueError("a contact that cannot be read")
        yield

    contacts_opted_out.send(Contact, contacts=unreadable(), reason="Bulk")

    assert not WebhookDelivery.objects.exists()
    assert "Building the contact.opted_out webhook failed" in caplog.text

"""The whole life of an instance against the simulator over real HTTP, with a live server
receiving its webhooks, against current WAHA and against Core 2024.10 (unsigned webhooks
without ids, the `default` session only)."""

from __future__ import annotations

import time

import httpx
import pytest
from django.urls import reverse

from inbox.models import WebhookEvent
from instances import tasks
from instances.engine_cache import engine_for
from instances.engines.base import MessageKind, SendRequest
from instances.models import Instance, InstanceStatus
from tests.refused_address import REFUSED_URL
from tests.simulator_fixture import SIMULATOR_TEST_API_KEY, both_profiles

SESSION = "default"
CUSTOMER = "4917612345678@c.us"

pytestmark = pytest.mark.django_db(transaction=True)


NOTHING_REFUSED = {"delivered": 0, "retried": 0, "failed": 0, "dropped": 0, "pending": 0}


def deliver_webhooks(simulator) -> None:
    """Let every webhook due reach the live server, and keep off the database meanwhile.

    With SQLite the live server shares this thread's connection, so the test must not use it
    while a webhook is being stored.
    """
    simulator.state.tick()
    assert simulator.dispatcher.wait_idle(timeout=10)


def status_of(instance: Instance) -> str:
    instance.refresh_from_db()
    return instance.status


def scan(simulator, session: str, phone: str = "+15550100077") -> None:
    response = httpx.post(
        f"{simulator.url}/simulator/sessions/{session}/scan",
        headers={"X-Api-Key": simulator.api_key},
        json={"phone": phone},
        timeout=5,
    )
    response.raise_for_status()


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def create_instance(admin_client, simulator, session: str = SESSION) -> Instance:
    response = admin_client.post(
        reverse("instances:create"),
        {
            "name": f"E2E {session}",
            "engine": "waha",
            "base_url": simulator.url,
            "session_name": session,
            "api_key": SIMULATOR_TEST_API_KEY,
        },
    )
    assert response.status_code == 302
    return Instance.objects.get(session_name=session)


@both_profiles
def test_start_qr_scan_and_working_arrive_by_webhook(
    admin_client, simulator, live_server, settings
):
    settings.PUBLIC_BASE_URL = live_server.url
    instance = create_instance(admin_client, simulator)

    with simulator.dispatcher.held():
        admin_client.post(reverse("instances:action", args=[instance.pk, "start"]))
    deliver_webhooks(simulator)
    assert status_of(instance) == InstanceStatus.SCAN_QR_CODE

    qr_panel = admin_client.get(reverse("instances:qr", args=[instance.pk])).content.decode()
    assert "data:image/svg+xml" in qr_panel

    scan(simulator, SESSION, "+15550100077")
    deliver_webhooks(simulator)
    assert status_of(instance) == InstanceStatus.WORKING

    page = admin_client.get(instance.get_absolute_url()).content.decode()
    assert 'data-status="WORKING"' in page
    assert "+15550100077" in page
    qr_panel = admin_client.get(reverse("instances:qr", args=[instance.pk])).content.decode()
    assert "data:image" not in qr_panel and "Linked" in qr_panel
    transitions = list(
        instance.status_changes.order_by("changed_at").values_list("to_status", "source")
    )
    assert ("WORKING", "webhook") in transitions
    assert WebhookEvent.objects.filter(instance=instance, event="session.status").count() >= 2
    assert simulator.dispatcher.stats() | {"delivered": 0} == NOTHING_REFUSED
    assert simulator.profile.version in page


@both_profiles
def test_sent_and_received_messages_arrive_by_webhook(
    admin_client, simulator, live_server, settings
):
    settings.PUBLIC_BASE_URL = live_server.url
    instance = create_instance(admin_client, simulator)
    with simulator.dispatcher.held():
        admin_client.post(reverse("instances:action", args=[instance.pk, "start"]))
    deliver_webhooks(simulator)
    scan(simulator, SESSION)
    deliver_webhooks(simulator)

    result = engine_for(instance).send(
        SendRequest(CUSTOMER, MessageKind.TEXT, {"text": "Your order shipped"}, client_id="c-1")
    )
    deliver_webhooks(simulator)
    inbound = httpx.post(
        f"{simulator.url}/simulator/sessions/{SESSION}/inbound",
        headers={"X-Api-Key": simulator.api_key},
        json={"from": CUSTOMER, "text": "Thanks!"},
    )
    assert inbound.status_code == 201
    deliver_webhooks(simulator)

    # The receiver keeps each envelope as it came.
    payloads = [
        (event.event, event.payload["payload"])
        for event in WebhookEvent.objects.filter(instance=instance)
    ]
    acks = [
        p["ackName"] for e, p in payloads if e == "message.ack" and p["id"] == result.provider_id
    ]
    assert sorted(acks) == ["DEVICE", "READ", "SERVER"]
    assert {p["body"] for e, p in payloads if e == "message.any"} == {
        "Your order shipped",
        "Thanks!",
    }
    assert result.provider_id.endswith("_c-1") is simulator.profile.honours_client_ids
    assert simulator.dispatcher.stats() | {"delivered": 0} == NOTHING_REFUSED


@both_profiles
def test_repeated_starting_reports_are_all_accepted(admin_client, simulator, live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    simulator.state.starting_seconds = 60
    instance = create_instance(admin_client, simulator)
    with simulator.dispatcher.held():
        admin_client.post(reverse("instances:action", args=[instance.pk, "start"]))
        simulator.clock.advance(6)
        simulator.state.tick()
    deliver_webhooks(simulator)

    stats = simulator.dispatcher.stats()
    assert stats | {"delivered": 0} == NOTHING_REFUSED
    assert stats["delivered"] == (4 if simulator.profile.starting_repeat_seconds else 1)
    assert status_of(instance) == InstanceStatus.STARTING


@both_profiles
def test_working_is_also_seen_by_the_status_poll_when_webhooks_cannot_arrive(
    admin_client, simulator, settings
):
    settings.PUBLIC_BASE_URL = REFUSED_URL
    instance = create_instance(admin_client, simulator)
    admin_client.post(reverse("instances:action", args=[instance.pk, "start"]))
    tasks.poll_instance_status(instance.pk)
    assert status_of(instance) == InstanceStatus.SCAN_QR_CODE

    scan(simulator, SESSION)
    tasks.poll_instance_status(instance.pk)
    assert status_of(instance) == InstanceStatus.WORKING
    assert instance.status_changes.filter(to_status="WORKING", source="poll").exists()
    assert not WebhookEvent.objects.exists()


@both_profiles
def test_lifecycle_actions_reach_the_engine(admin_client, simulator, settings):
    settings.PUBLIC_BASE_URL = REFUSED_URL
    instance = create_instance(admin_client, simulator)
    admin_client.post(reverse("instances:action", args=[instance.pk, "start"]))
    tasks.poll_instance_status(instance.pk)
    scan(simulator, SESSION)

    admin_client.post(reverse("instances:action", args=[instance.pk, "logout"]))
    tasks.poll_instance_status(instance.pk)
    assert status_of(instance) == InstanceStatus.SCAN_QR_CODE
    assert instance.phone == ""

    admin_client.post(reverse("instances:action", args=[instance.pk, "stop"]))
    assert status_of(instance) == InstanceStatus.STOPPED

    # Someone deleted the session on the engine; recreating it must not trip over that.
    httpx.delete(
        f"{simulator.url}/api/sessions/{SESSION}", headers={"X-Api-Key": simulator.api_key}
    )
    response = admin_client.post(
        reverse("instances:action", args=[instance.pk, "recreate"]), follow=True
    )
    assert "Could not" not in response.content.decode()
    tasks.poll_instance_status(instance.pk)
    assert status_of(instance) == InstanceStatus.SCAN_QR_CODE

    response = admin_client.post(reverse("instances:delete", args=[instance.pk]))
    assert response.status_code == 302
    assert not Instance.objects.filter(pk=instance.pk).exists()
    gone = httpx.get(
        f"{simulator.url}/api/sessions/{SESSION}", headers={"X-Api-Key": simulator.api_key}
    )
    assert gone.status_code == 404


def test_an_action_in_the_wrong_state_is_a_plain_message(admin_client, simulator, settings):
    settings.PUBLIC_BASE_URL = REFUSED_URL
    instance = create_instance(admin_client, simulator)
    response = admin_client.post(
        reverse("instances:action", args=[instance.pk, "logout"]), follow=True
    )
    assert response.status_code == 200
    assert "Could not logout" in response.content.decode()


@both_profiles
def test_a_pairing_code_while_the_session_is_starting_is_a_plain_message_not_a_wait(
    admin_client, simulator, settings
):
    settings.PUBLIC_BASE_URL = REFUSED_URL
    simulator.state.starting_seconds = 60
    instance = create_instance(admin_client, simulator)
    admin_client.post(reverse("instances:action", args=[instance.pk, "start"]))

    started = time.monotonic()
    response = admin_client.post(
        reverse("instances:pairing_code", args=[instance.pk]),
        {"phone": "+49 151 2345 6789"},
        headers={"HX-Request": "true"},
    )

    assert time.monotonic() - started < 5
    page = response.content.decode()
    assert "The session is STARTING" in page and "SCAN_QR_CODE" in page
    assert 'aria-label="Pairing code"' not in page


@both_profiles
def test_pairing_code_and_screenshot_come_from_the_engine(admin_client, simulator, settings):
    settings.PUBLIC_BASE_URL = REFUSED_URL
    instance = create_instance(admin_client, simulator)
    admin_client.post(reverse("instances:action", args=[instance.pk, "start"]))
    tasks.poll_instance_status(instance.pk)

    response = admin_client.post(
        reverse("instances:pairing_code", args=[instance.pk]),
        {"phone": "+49 151 2345 6789"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert 'aria-label="Pairing code"' in response.content.decode()

    response = admin_client.post(
        reverse("instances:pairing_code", args=[instance.pk]),
        {"phone": "12"},
        headers={"HX-Request": "true"},
    )
    assert "not a valid phone number" in response.content.decode()

    shot = admin_client.get(
        reverse("instances:screenshot", args=[instance.pk]), headers={"HX-Request": "true"}
    )
    assert shot.status_code == 200
    assert 'src="data:image/png;base64,iVBORw0KGgo' in shot.content.decode()

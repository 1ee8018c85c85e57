"""An operator composes a message and watches it reach Read without reloading the page."""

from __future__ import annotations

import time

import httpx
import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from instances.models import Instance, InstanceStatus, QueueSettings
from instances.outbound.dispatcher import send_next
from instances.services import Action, perform_action
from tests.factories import PASSWORD, InstanceFactory, UserFactory
from tests.simulator_fixture import SIMULATOR_TEST_API_KEY

pytestmark = pytest.mark.django_db(transaction=True)


def linked_instance(simulator) -> Instance:
    instance = InstanceFactory(
        name="Shop", base_url=simulator.url, session_name="shop", api_key=SIMULATOR_TEST_API_KEY
    )
    QueueSettings.objects.create(instance=instance, min_delay_seconds=0, max_delay_seconds=0)
    perform_action(instance, Action.START)
    api = {"X-Api-Key": simulator.api_key}
    httpx.get(f"{simulator.url}/api/sessions/shop", headers=api)
    httpx.post(f"{simulator.url}/simulator/sessions/shop/scan", headers=api, json={})
    deadline = time.monotonic() + 10
    while Instance.objects.get(pk=instance.pk).status != InstanceStatus.WORKING:
        assert time.monotonic() < deadline, "the session never reported WORKING"
        time.sleep(0.05)
    return instance


def test_a_composed_message_climbs_to_read_on_its_page(
    page, live_server, sign_in, simulator, settings
):
    settings.PUBLIC_BASE_URL = live_server.url
    instance = linked_instance(simulator)
    UserFactory(username="otto", role=Role.OPERATOR)
    sign_in("otto", PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Messages").click()
    expect(page.get_by_text("No messages")).to_be_visible()
    page.get_by_role("link", name="Compose").first.click()
    page.fill("#id_to", "hello")
    page.fill("#id_text", "Ihre Bestellung ist unterwegs")
    page.get_by_role("button", name="Queue message").click()
    expect(page.locator(".field.has-error")).to_contain_text("not a valid phone number")

    page.select_option("#id_kind", "poll")
    expect(page.locator("#id_options")).to_be_visible()
    page.select_option("#id_kind", "text")
    page.fill("#id_to", "+49 151 2345 6789")
    page.fill("#id_text", "Ihre Bestellung ist unterwegs")
    page.get_by_role("button", name="Queue message").click()
    expect(page.locator("#message-status")).to_have_text("Queued")

    # What a worker does when the pump hands out the instance's slot.
    send_next(instance.pk)

    expect(page.locator("#message-status")).to_have_text("Read", timeout=15_000)
    expect(page.locator("#message-state")).to_contain_text("Sent")

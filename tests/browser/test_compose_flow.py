"""An operator composes a message and watches it reach Read without reloading the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from instances.outbound.dispatcher import send_next
from tests.browser.linking import linked_instance
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


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

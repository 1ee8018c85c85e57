"""An admin adds a WhautoChat instance, finds it ready at once, and sends a template from it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from instances.models import Instance, QueueSettings
from instances.outbound.dispatcher import send_next
from tests.companion_fixture import WHAUTOCHAT_KEY
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_cloud_gateway_is_ready_at_once_and_sends_a_template(
    page, live_server, sign_in, whautochat_sim
):
    UserFactory(username="ada", role=Role.ADMIN)
    sign_in("ada", PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Instances").click()
    page.get_by_role("link", name="Add instance").click()
    page.fill("#id_name", "Cloud line")
    page.select_option("#id_engine", "whautochat")
    page.fill("#id_base_url", whautochat_sim.url)
    page.fill("#id_session_name", "ws_shop")
    page.fill("#id_api_key", WHAUTOCHAT_KEY)
    page.get_by_role("button", name="Test connection").click()
    expect(page.get_by_text("Connected and authenticated")).to_be_visible()
    page.get_by_role("button", name="Save").click()

    expect(page.locator("#always-ready")).to_contain_text("Cloud gateway, always ready")
    expect(page.get_by_role("button", name="Start", exact=True)).to_have_count(0)
    instance = Instance.objects.get(name="Cloud line")
    QueueSettings.objects.update_or_create(
        instance=instance, defaults={"min_delay_seconds": 0, "max_delay_seconds": 0}
    )

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Messages").click()
    page.get_by_role("link", name="Compose").first.click()
    page.select_option("#id_kind", "template")
    expect(page.locator("#id_template")).to_be_visible()
    page.fill("#id_to", "+49 151 2345 6789")
    page.fill("#id_template", "order_shipped")
    page.get_by_role("button", name="Queue message").click()
    expect(page.locator("#message-status")).to_have_text("Queued")

    send_next(instance.pk)

    expect(page.locator("#message-status")).to_have_text("Sent", timeout=15_000)
    assert whautochat_sim.sent[0]["template"] == "order_shipped"

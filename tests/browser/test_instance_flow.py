from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import PASSWORD, UserFactory
from tests.simulator_fixture import SIMULATOR_TEST_API_KEY

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_links_a_number_and_sees_it_working_without_a_reload(
    page, live_server, sign_in, simulator, settings
):
    settings.PUBLIC_BASE_URL = live_server.url
    UserFactory(username="ada", role=Role.ADMIN)
    sign_in("ada", PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Instances").click()
    expect(page.get_by_text("No instances yet.")).to_be_visible()
    page.get_by_role("link", name="Add instance").click()
    page.fill("#id_name", "Support line")
    page.select_option("#id_engine", "waha")
    page.fill("#id_base_url", simulator.url)
    page.fill("#id_session_name", "browser")
    page.fill("#id_api_key", "wrong-key")
    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#id_api_key ~ .error")).to_have_text("The gateway refused the API key.")
    # The page never sends a key back; the browser keeps what was typed.
    expect(page.locator("#id_api_key")).to_have_value("wrong-key")
    page.fill("#id_api_key", SIMULATOR_TEST_API_KEY)
    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#connection-result")).to_contain_text("Connected and authenticated")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Support line")).to_be_visible()
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.locator("#status-panel [data-status]")).to_have_attribute(
        "data-status", "SCAN_QR_CODE", timeout=10_000
    )
    expect(page.locator("#qr img")).to_be_visible(timeout=10_000)

    httpx.post(
        f"{simulator.url}/simulator/sessions/browser/scan",
        headers={"X-Api-Key": simulator.api_key},
        json={"phone": "+4915123450042"},
    ).raise_for_status()
    expect(page.locator("#status-panel [data-status]")).to_have_attribute(
        "data-status", "WORKING", timeout=5_000
    )
    expect(page.locator("#status-panel")).to_contain_text("+4915123450042")
    expect(page.locator("#qr img")).to_have_count(0, timeout=10_000)
    expect(page.locator("#qr-panel")).to_contain_text("Linked to +4915123450042")
    expect(page.locator("#pairing-panel form")).to_have_count(0)
    expect(page.get_by_role("button", name="Start", exact=True)).to_be_disabled()
    expect(page.locator("#status-panel")).to_contain_text("The session is already running.")

    page.get_by_role("link", name="Logout").click()
    expect(page.get_by_role("heading", name="Logout Support line?")).to_be_visible()
    page.get_by_role("button", name="Yes, logout").click()
    expect(page.locator(".flash")).to_contain_text("Logout sent to Support line")
    expect(page.locator("#status-panel")).not_to_contain_text("+4915123450042")
    expect(page.locator("#status-panel [data-status]")).to_have_attribute(
        "data-status", "SCAN_QR_CODE", timeout=10_000
    )

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Instances").click()
    row = page.locator("tr", has_text="Support line")
    expect(row).to_contain_text("Waiting for QR scan")

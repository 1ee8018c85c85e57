"""An operator imports contacts from a CSV file, saves the imported ones as a filter, creates a
campaign for that filter on two numbers, starts it, and watches the progress bar reach 100% and
the read count rise without reloading the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from campaigns.contact_tasks import import_contacts
from campaigns.feeder import feed_campaign
from campaigns.models import Campaign, ContactImport
from instances.outbound.dispatcher import send_next
from tests.browser.linking import linked_instance
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = "phone,name,code,tags\n" + "".join(
    f"+49151234560{n:02d},Person {n},C{n},launch\n" for n in range(4)
)
# Imported too, but not in the saved filter: never messaged.
OTHERS = "+4915123456099,Zed,Z9,other\n"


def test_imported_contacts_get_a_campaign_on_two_numbers_live(
    page, live_server, sign_in, simulator, settings, tmp_path
):
    settings.PUBLIC_BASE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path / "media"
    numbers = [linked_instance(simulator, "north"), linked_instance(simulator, "south")]
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE + OTHERS)
    UserFactory(username="otto", role=Role.OPERATOR)
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    sign_in("otto", PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts").click()
    page.get_by_role("link", name="Import a CSV or Excel file").click()
    page.set_input_files("#id_file", str(people))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".import-preview")).to_contain_text("+4915123456003")
    page.get_by_role("button", name="Import", exact=True).click()
    # The worker's part, done here so the test needs no cluster; the page notices alone.
    import_contacts(ContactImport.objects.get().pk)
    expect(page.locator("#import-progress")).to_contain_text("5 new, 0 updated, 0 skipped")
    page.get_by_role("link", name="See the contacts").click()

    page.get_by_label("Tag").first.select_option(label="launch")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".contact-list tbody tr")).to_have_count(4)
    page.get_by_label("Save this filter as").fill("Launch list")
    page.get_by_role("button", name="Save this filter").click()
    expect(page.get_by_text("Saved the filter “Launch list”.")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="New campaign").click()
    page.fill("#id_name", "Launch")
    page.get_by_label("North").check()
    page.get_by_label("South").check()
    page.fill("#id_variant_1", "Hi {name}, your code is {cod}")
    expect(page.locator("#preview")).to_contain_text("Unknown: {cod}")
    page.fill("#id_variant_1", "Hi {name}, your code is {code}")
    expect(page.locator("#preview")).to_contain_text(", your code is ")
    page.get_by_label("The contacts of a saved filter").check()
    page.locator("#id_audience-saved_filter").select_option(label="Launch list")
    for field in ("wait_between_messages", "sleep_after", "sleep_time"):
        page.fill(f"#id_{field}_from", "0")
        page.fill(f"#id_{field}_to", "0")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved with 4 recipients")).to_be_visible()

    page.get_by_role("button", name="Start now").click()
    expect(page.locator("#campaign-stats .badge").first).to_have_text("Running")

    # What the workers do: the feeder's task, then each number's sends.
    feed_campaign(Campaign.objects.get().pk)
    for number in numbers:
        while send_next(number.pk, burst_seconds=0) is not None:
            pass

    expect(page.locator(".progress-line strong")).to_have_text("100%", timeout=15_000)
    expect(page.locator('[data-count="read"]')).to_have_text("4", timeout=15_000)
    expect(page.locator("#campaign-recipients .outbound-read")).to_have_count(4)
    expect(page.locator("#campaign-recipients")).not_to_contain_text("Zed")
    assert violations == []

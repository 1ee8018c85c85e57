from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from campaigns.contact_tasks import import_contacts
from campaigns.models import Contact, ContactImport
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_operator_imports_a_csv_and_watches_it_finish_without_a_reload(
    page, live_server, sign_in, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEFAULT_PHONE_REGION = "DE"
    UserFactory(username="otto", role=Role.OPERATOR)
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "Telefon;Name;Stadt\n0151 23456789;Jürgen;Köln\nkaputt;Bob;Bonn\n", encoding="latin-1"
    )
    problems = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security" in m.text else 0)
    sign_in("otto", PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts").click()
    expect(page.get_by_text("No contacts yet.")).to_be_visible()
    page.get_by_role("link", name="Import a CSV or Excel file").click()
    page.set_input_files("#id_file", str(csv_file))
    page.get_by_role("button", name="Upload").click()

    expect(page.get_by_role("heading", name="Import people.csv")).to_be_visible()
    expect(page.locator(".import-preview")).to_contain_text("+4915123456789")
    expect(page.locator(".import-preview")).to_contain_text("Skipped: kaputt")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator("#import-progress")).to_contain_text("Queued")

    # The worker's part, done here so the test needs no cluster; the page must notice alone.
    import_contacts(ContactImport.objects.get().pk)

    expect(page.locator("#import-progress")).to_contain_text("Finished", timeout=5_000)
    expect(page.locator("#import-progress progress")).to_have_attribute("value", "100")
    expect(page.locator("#import-progress")).to_contain_text("1 new, 0 updated, 1 skipped")
    expect(page.get_by_role("link", name="Download the skipped rows")).to_be_visible()
    page.get_by_role("link", name="See the contacts").click()
    expect(page.locator(".contact-list")).to_contain_text("Jürgen")
    assert Contact.objects.get().custom_fields == {"stadt": "Köln"}
    assert problems == []

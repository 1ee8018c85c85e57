from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_member_signs_in_sees_the_dashboard_and_signs_out(page, live_server, sign_in):
    UserFactory(username="ada", first_name="Ada", role=Role.ADMIN)
    page.goto(f"{live_server.url}/instances/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/instances/")

    sign_in("ada", PASSWORD)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.locator(".whoami")).to_contain_text("Ada")
    expect(page.locator(".whoami")).to_contain_text("Admin")
    for area in ("Instances", "Contacts", "Campaigns", "Inbox", "Team"):
        expect(
            page.get_by_role("navigation", name="Main").get_by_role("link", name=area)
        ).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Sign in to Switchboard")).to_be_visible()


def test_wrong_password_shows_an_error_in_the_browser(page, live_server):
    UserFactory(username="ada", role=Role.ADMIN)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "ada")
    page.fill("#id_password", "not-it")
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")


def test_agent_sees_only_the_inbox_in_the_navigation(page, live_server, sign_in):
    UserFactory(username="agnes", role=Role.AGENT)
    sign_in("agnes", PASSWORD)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Inbox")).to_be_visible()
    expect(nav.get_by_role("link", name="Instances")).to_have_count(0)
    expect(nav.get_by_role("link", name="Team")).to_have_count(0)

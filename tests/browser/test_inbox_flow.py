"""The live team inbox in two browsers: a customer's message appears for both without a reload,
an agent replies and watches the ticks, and an assignment shows for the other member."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from instances.outbound.dispatcher import send_next
from tests.browser.conftest import ARTIFACTS
from tests.browser.linking import linked_instance
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
LIVE = 3_000  # ms: the inbox promises 2 s; the rest is the browser's own work.


def customer_writes(simulator, text: str) -> None:
    response = httpx.post(
        f"{simulator.url}/simulator/sessions/shop/inbound",
        headers={"X-Api-Key": simulator.api_key},
        json={"from": "+4917612345678", "text": text, "pushName": "Jonas"},
    )
    response.raise_for_status()


def signed_in_page(browser, live_server, username: str):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/inbox/")
    return context, page


def test_two_members_see_a_message_live_and_an_agent_replies_and_sees_the_ticks(
    browser, live_server, simulator, settings
):
    settings.PUBLIC_BASE_URL = live_server.url
    instance = linked_instance(simulator)
    UserFactory(username="agnes", role=Role.AGENT)
    UserFactory(username="ada", role=Role.ADMIN)
    agent_context, agent = signed_in_page(browser, live_server, "agnes")
    admin_context, admin = signed_in_page(browser, live_server, "ada")
    try:
        expect(agent.get_by_text("No conversations yet.")).to_be_visible()

        customer_writes(simulator, "Wo ist mein Paket?")
        for page in (agent, admin):
            expect(page.locator("#chat-list")).to_contain_text("Wo ist mein Paket?", timeout=LIVE)
            expect(page.locator("#chat-list")).to_contain_text("Jonas")

        agent.locator("#chat-list").get_by_text("Jonas").click()
        admin.locator("#chat-list").get_by_text("Jonas").click()
        expect(agent.locator("#thread")).to_contain_text("Wo ist mein Paket?")

        # A message arriving while the agent types neither loses nor resets the reply.
        agent.fill("#id_text", "Es ist unterwegs, ")
        customer_writes(simulator, "Hallo?")
        expect(agent.locator("#thread")).to_contain_text("Hallo?", timeout=LIVE)
        expect(agent.locator("#id_text")).to_have_value("Es ist unterwegs, ")
        agent.locator("#id_text").press("End")
        agent.locator("#id_text").type("morgen da.")
        agent.get_by_role("button", name="Send").click()

        bubble = agent.locator(".bubble-out").filter(has_text="Es ist unterwegs, morgen da.")
        expect(bubble.locator(".tick")).to_have_attribute("data-tick", "queued", timeout=LIVE)
        expect(agent.locator("#id_text")).to_have_value("")

        # What a worker does when the pump hands out the instance's slot.
        send_next(instance.pk)
        expect(bubble.locator(".tick")).to_have_attribute("data-tick", "read", timeout=LIVE * 3)

        # The other member sees the reply, and the agent's assignment, without a reload.
        expect(admin.locator("#thread")).to_contain_text("morgen da.", timeout=LIVE)
        agent.get_by_role("button", name="Take it").click()
        expect(admin.locator("#thread .assignee")).to_have_text("agnes", timeout=LIVE)
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        agent.screenshot(path=str(ARTIFACTS / "inbox-agent.png"), full_page=True)
        agent_context.close()
        admin_context.close()


def test_on_a_phone_the_inbox_shows_one_pane_at_a_time(browser, live_server, simulator, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    linked_instance(simulator)
    UserFactory(username="agnes", role=Role.AGENT)
    context, page = signed_in_page(browser, live_server, "agnes")
    try:
        page.set_viewport_size({"width": 390, "height": 800})
        customer_writes(simulator, "Hi from a phone")
        page.locator("#chat-list").get_by_text("Hi from a phone").click(timeout=LIVE * 2)
        expect(page.locator(".pane-thread")).to_be_visible()
        expect(page.locator(".pane-list")).to_be_hidden()
        expect(page.locator(".pane-side")).to_be_hidden()
        page.get_by_role("link", name="Details").click()
        expect(page.locator(".pane-side")).to_be_visible()
        expect(page.locator(".pane-thread")).to_be_hidden()
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "inbox-phone.png"), full_page=True)
        context.close()


def test_an_assignment_made_by_one_member_shows_for_the_other_without_resetting_their_note(
    browser, live_server
):
    from inbox.models import Chat, ConversationMessage
    from tests.factories import InstanceFactory

    chat = Chat.objects.create(
        instance=InstanceFactory(name="Shop"), chat_id="4917612345678@c.us", name="Jonas"
    )
    ConversationMessage.objects.create(chat=chat, direction="in", provider_id="m1", body="Hallo")
    agnes = UserFactory(username="agnes", role=Role.AGENT)
    ada = UserFactory(username="ada", role=Role.ADMIN)
    agent_context, agent = signed_in_page(browser, live_server, "agnes")
    admin_context, admin = signed_in_page(browser, live_server, "ada")
    try:
        for page in (agent, admin):
            page.goto(f"{live_server.url}/inbox/{chat.pk}/")
        assignee = admin.locator("#side-panel").get_by_label("Assigned to")

        agent.locator("#side-panel").get_by_label("Assigned to").select_option(label="ada")
        agent.get_by_role("button", name="Assign").click()
        expect(assignee).to_have_value(str(ada.pk), timeout=LIVE)

        # While she writes a note, a change by someone else leaves her note as typed.
        admin.locator("#id_body").fill("Called him, ")
        agent.get_by_role("button", name="Take it").click()
        expect(admin.locator("#thread .assignee")).to_have_text("agnes", timeout=LIVE)
        expect(admin.locator("#id_body")).to_have_value("Called him, ")
        admin.locator("#id_body").press("End")
        admin.locator("#id_body").type("he calls back.")
        admin.get_by_role("button", name="Add note").click()

        expect(admin.locator("#side-panel .notes")).to_contain_text("Called him, he calls back.")
        expect(assignee).to_have_value(str(agnes.pk))
        expect(agent.locator("#side-panel .notes")).to_contain_text("he calls back.", timeout=LIVE)
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        admin.screenshot(path=str(ARTIFACTS / "inbox-assignment.png"), full_page=True)
        agent_context.close()
        admin_context.close()

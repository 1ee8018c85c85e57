"""A failed event stays stored with its error and is applied later, once, from the event log."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.contrib.messages.storage.fallback import FallbackStorage
from django.urls import reverse

from inbox import conversations
from inbox.admin import WebhookEventAdmin
from inbox.models import ConversationMessage, WebhookEvent
from tests.factories import InstanceFactory
from tests.inbox.webhooks import envelope, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def instance():
    return InstanceFactory()


@pytest.fixture
def broken_messages(monkeypatch):
    def broken(instance, data):
        raise RuntimeError("disk full")

    monkeypatch.setattr(conversations, "record_message", broken)
    return monkeypatch


def test_a_failing_handler_leaves_the_event_failed_with_its_error(
    client, instance, broken_messages
):
    post(client, instance, envelope("message"))
    event = WebhookEvent.objects.get()
    assert (event.state, event.error) == ("failed", "RuntimeError: disk full")
    assert not ConversationMessage.objects.exists()


def test_reprocessing_from_the_event_page_applies_it_once(client, instance, broken_messages, admin):
    post(client, instance, envelope("message"))
    broken_messages.undo()
    event = WebhookEvent.objects.get()
    client.force_login(admin)
    response = client.post(reverse("inbox:reprocess"), {"events": [event.pk]})
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.state, event.error) == ("applied", "")
    assert ConversationMessage.objects.count() == 1
    # Again, and the event arriving again: nothing doubles.
    client.post(reverse("inbox:reprocess"), {"events": [event.pk]})
    post(client, instance, envelope("message"))
    assert ConversationMessage.objects.count() == 1


def test_all_failed_events_are_reprocessed_in_bulk_in_the_order_they_arrived(
    client, instance, broken_messages, admin
):
    first = envelope("message")
    second = envelope("message", id="false_4917612345678@c.us_3EB0SECOND", body="Second")
    second["id"] = "evt_second"
    post(client, instance, first)
    post(client, instance, second)
    broken_messages.undo()
    client.force_login(admin)
    page = client.get(reverse("inbox:events"), {"state": "failed"}).content.decode()
    assert "2 events failed to apply" in page
    client.post(reverse("inbox:reprocess") + "?state=failed", {"all_failed": "1"})
    assert set(WebhookEvent.objects.values_list("state", flat=True)) == {"applied"}
    bodies = list(ConversationMessage.objects.order_by("id").values_list("body", flat=True))
    assert bodies[1] == "Second" and len(bodies) == 2


def test_a_handler_that_fails_again_keeps_the_event_failed(
    client, instance, broken_messages, admin
):
    post(client, instance, envelope("message"))
    client.force_login(admin)
    client.post(reverse("inbox:reprocess"), {"all_failed": "1"})
    assert WebhookEvent.objects.get().state == "failed"


def test_the_admin_action_reprocesses_the_chosen_events(
    client, rf, instance, broken_messages, admin
):
    post(client, instance, envelope("message"))
    broken_messages.undo()
    model_admin = WebhookEventAdmin(WebhookEvent, site)
    request = rf.post("/")
    request.user = admin
    request.session = {}
    request._messages = FallbackStorage(request)
    model_admin.reprocess(request, WebhookEvent.objects.all())
    assert WebhookEvent.objects.get().state == "applied"
    assert ConversationMessage.objects.count() == 1


def test_the_event_page_shows_the_raw_json_escaped(client, instance, admin):
    hostile = envelope("message", body="<script>alert(1)</script>")
    post(client, instance, hostile)
    client.force_login(admin)
    event = WebhookEvent.objects.get()
    page = client.get(reverse("inbox:event", args=[event.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_agents_cannot_reprocess(client, instance, agent):
    client.force_login(agent)
    assert client.post(reverse("inbox:reprocess"), {"all_failed": "1"}).status_code == 403

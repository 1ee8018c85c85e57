"""Media fetched from the simulator with the instance's key, and LID senders resolved and merged
through the simulator's LID look-up, all over real HTTP."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inbox import tasks
from inbox.models import Chat, ConversationMessage, Note
from instances.models import InstanceStatus
from tests.factories import InstanceFactory
from tests.inbox.webhooks import envelope, post
from tests.simulator_fixture import SIMULATOR_TEST_API_KEY

pytestmark = pytest.mark.django_db
SESSION = "default"


@pytest.fixture
def instance(simulator):
    simulator.state.create_session(SESSION, None, start=True)
    simulator.state.scan(SESSION, phone="+4915112345678")
    return InstanceFactory(
        base_url=simulator.url,
        api_key=SIMULATOR_TEST_API_KEY,
        session_name=SESSION,
        status=InstanceStatus.WORKING,
    )


def deliver(client, simulator, instance, **inbound) -> ConversationMessage:
    """The customer writes in the simulator; its `message` payload reaches the receiver."""
    payload = simulator.state.inbound(SESSION, inbound)
    data = envelope("message")
    data["id"] = f"evt_{payload['id'][-12:]}"
    data["payload"] = payload
    post(client, instance, data)
    return ConversationMessage.objects.get(provider_id=payload["id"])


def test_incoming_media_is_fetched_stored_and_served_without_the_engine_address(
    client, client_for, agent, simulator, instance
):
    media = {"mimetype": "image/png", "filename": "receipt.png"}
    message = deliver(client, simulator, instance, **{"from": "+4917612345678", "media": media})
    assert message.media_state == "pending"
    tasks.fetch_media(message.pk)
    message.refresh_from_db()
    assert message.media_state == "stored" and message.media_file.name
    team = client_for(agent)
    served = team.get(reverse("inbox:media", args=[message.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")
    page = team.get(reverse("inbox:chat", args=[message.chat_id])).content.decode()
    assert simulator.url not in page and SIMULATOR_TEST_API_KEY not in page
    assert reverse("inbox:media", args=[message.pk]) in page


def test_a_file_over_the_size_limit_is_unavailable_and_can_be_retried(
    client, client_for, agent, simulator, instance, settings
):
    settings.INBOX_MEDIA_MAX_BYTES = 10
    media = {"mimetype": "application/pdf", "filename": "contract.pdf"}
    message = deliver(client, simulator, instance, **{"from": "+4917612345678", "media": media})
    tasks.fetch_media(message.pk)
    message.refresh_from_db()
    assert message.media_state == "unavailable" and "limit" in message.media_error
    team = client_for(agent)
    page = team.get(reverse("inbox:chat", args=[message.chat_id])).content.decode()
    assert "Media unavailable" in page and "Retry" in page

    settings.INBOX_MEDIA_MAX_BYTES = 1_000_000
    team.post(reverse("inbox:media_retry", args=[message.pk]))
    message.refresh_from_db()
    assert message.media_state == "pending"
    tasks.fetch_media(message.pk)
    message.refresh_from_db()
    assert message.media_state == "stored"
    served = team.get(reverse("inbox:media", args=[message.pk]))
    # Not a type shown inline: a download, so a crafted file never renders in the app.
    assert served["Content-Disposition"].startswith("attachment")


def test_a_lid_sender_is_resolved_to_their_phone(client, simulator, instance):
    lid = "123456789012345@lid"
    deliver(client, simulator, instance, **{"from": lid, "text": "Hi", "phone": "4917699887766"})
    chat = Chat.objects.get()
    assert chat.chat_id == lid
    tasks.resolve_lid(chat.pk)
    chat.refresh_from_db()
    assert (chat.chat_id, chat.phone, chat.lid) == ("4917699887766@c.us", "+4917699887766", lid)
    # Later messages from the LID land in the same conversation.
    deliver(client, simulator, instance, **{"from": lid, "text": "Still me"})
    assert Chat.objects.count() == 1 and chat.messages.count() == 2


def test_a_lid_conversation_merges_into_the_phones_conversation(client, simulator, instance):
    phone_message = deliver(client, simulator, instance, **{"from": "+4917699887766", "text": "A"})
    lid = "987654321098765@lid"
    deliver(client, simulator, instance, **{"from": lid, "text": "B", "phone": "4917699887766"})
    lid_chat = Chat.objects.get(chat_id=lid)
    tasks.resolve_lid(lid_chat.pk)
    chat = Chat.objects.get()
    assert chat.pk == phone_message.chat_id and chat.lid == lid
    assert sorted(chat.messages.values_list("body", flat=True)) == ["A", "B"]
    assert chat.unread_count == 2
    assert "Merged" in Note.objects.get(chat=chat).body


def test_an_unknown_lid_stays_as_it_is(client, simulator, instance):
    lid = "555555555555555@lid"
    deliver(client, simulator, instance, **{"from": lid, "text": "Hi"})
    simulator.state._sessions[SESSION].lids.pop(lid)
    chat = Chat.objects.get()
    tasks.resolve_lid(chat.pk)
    chat.refresh_from_db()
    assert chat.chat_id == lid and chat.phone == ""


def test_mark_read_sends_the_engines_seen(
    client, client_for, agent, simulator, instance, django_capture_on_commit_callbacks
):
    message = deliver(client, simulator, instance, **{"from": "+4917612345678", "text": "Hi"})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client_for(agent).post(reverse("inbox:action", args=[message.chat_id, "read"]))
    assert callbacks  # the seen was handed to the task queue after commit
    tasks.send_seen(message.chat_id)
    seen = [action for action in simulator.state.actions(SESSION) if action["action"] == "sendSeen"]
    assert [action["chatId"] for action in seen] == ["4917612345678@c.us"]

"""What the team does in a conversation, through the pages, with and without htmx."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from inbox.models import CannedReply, Chat, ConversationMessage, Label, Note
from instances.models import OutboundMessage
from tests.factories import InstanceFactory
from tests.inbox.webhooks import envelope, post

pytestmark = pytest.mark.django_db
CUSTOMER = "4917612345678@c.us"
HTMX = {"HX-Request": "true"}
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


@pytest.fixture
def chat(client):
    post(client, InstanceFactory(), envelope("message"))
    return Chat.objects.get()


@pytest.fixture
def team(client_for, agent):
    return client_for(agent)


def test_a_reply_is_queued_and_shown_at_once_as_pending(team, chat, agent):
    response = team.post(reverse("inbox:reply", args=[chat.pk]), {"text": "It ships today"})
    assert response.status_code == 302
    outbound = OutboundMessage.objects.get()
    assert (outbound.chat_id, outbound.kind, outbound.payload) == (
        CUSTOMER,
        "text",
        {"text": "It ships today"},
    )
    bubble = ConversationMessage.objects.get(outbound=outbound)
    assert bubble.author == agent and bubble.tick == "queued"
    page = team.get(reverse("inbox:chat", args=[chat.pk])).content.decode()
    assert 'data-tick="queued"' in page and "It ships today" in page
    chat.refresh_from_db()
    assert chat.unread_count == 0 and chat.last_message_outgoing


def test_an_htmx_reply_gives_back_an_empty_form_and_refreshes_the_regions(team, chat):
    response = team.post(
        reverse("inbox:reply", args=[chat.pk]), {"text": "On its way"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "inbox-changed" in response["HX-Trigger"]
    assert (
        'id="reply"' in response.content.decode() and "On its way" not in response.content.decode()
    )


def test_an_empty_reply_keeps_the_form_with_an_error(team, chat):
    response = team.post(reverse("inbox:reply", args=[chat.pk]), {"text": "  "}, headers=HTMX)
    assert "Write something or attach a file." in response.content.decode()
    assert not OutboundMessage.objects.exists()


def test_a_too_long_reply_keeps_what_was_typed(team, chat):
    text = "x" * 5000
    response = team.post(reverse("inbox:reply", args=[chat.pk]), {"text": text}, headers=HTMX)
    assert text in response.content.decode()
    assert not ConversationMessage.objects.filter(direction="out").exists()


def test_a_quoted_reply_names_the_message_it_answers(team, chat):
    original = chat.messages.get()
    quote = team.get(reverse("inbox:quote", args=[chat.pk, original.pk]), headers=HTMX)
    assert f'name="quoted" value="{original.pk}"' in quote.content.decode()
    team.post(reverse("inbox:reply", args=[chat.pk]), {"text": "Yes", "quoted": original.pk})
    outbound = OutboundMessage.objects.get()
    assert outbound.payload["reply_to"] == original.provider_id
    assert ConversationMessage.objects.get(outbound=outbound).quoted == original


def test_a_canned_reply_shortcut_is_expanded(team, chat):
    CannedReply.objects.create(shortcut="hours", body="We are open 9 to 5.")
    team.post(reverse("inbox:reply", args=[chat.pk]), {"text": "/hours Thanks! /unknown"})
    assert OutboundMessage.objects.get().payload["text"] == "We are open 9 to 5. Thanks! /unknown"


def test_an_attachment_goes_out_through_the_queue_and_stays_in_the_thread(team, chat, settings):
    settings.PUBLIC_BASE_URL = "http://testserver"
    upload = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    team.post(reverse("inbox:reply", args=[chat.pk]), {"text": "Here", "attachment": upload})
    outbound = OutboundMessage.objects.get()
    assert outbound.kind == "image" and outbound.payload["caption"] == "Here"
    engine = Client()  # the gateway: not signed in
    fetched = engine.get(outbound.payload["url"].removeprefix("http://testserver"))
    assert fetched.status_code == 200 and b"".join(fetched.streaming_content) == PNG
    bubble = ConversationMessage.objects.get(outbound=outbound)
    shown = team.get(reverse("inbox:media", args=[bubble.pk]))
    assert b"".join(shown.streaming_content) == PNG


def test_an_attachment_whatsapp_cannot_take_is_refused_with_the_text_kept(team, chat):
    upload = SimpleUploadedFile("page.html", b"<script>alert(1)</script>", content_type="text/html")
    response = team.post(
        reverse("inbox:reply", args=[chat.pk]),
        {"text": "See this", "attachment": upload},
        headers=HTMX,
    )
    page = response.content.decode()
    assert 'class="error"' in page and "See this" in page
    assert not OutboundMessage.objects.exists()
    assert not ConversationMessage.objects.filter(direction="out").exists()


def test_a_reaction_is_queued_and_shown(team, chat):
    message = chat.messages.get()
    response = team.post(
        reverse("inbox:react", args=[chat.pk, message.pk]), {"emoji": "👍"}, headers=HTMX
    )
    assert response.status_code == 204 and "inbox-changed" in response["HX-Trigger"]
    outbound = OutboundMessage.objects.get()
    assert (outbound.kind, outbound.payload) == (
        "reaction",
        {"message_id": message.provider_id, "emoji": "👍"},
    )
    message.refresh_from_db()
    assert message.reactions == {"me": "👍"}


def test_only_offered_reactions_are_accepted(team, chat):
    message = chat.messages.get()
    response = team.post(reverse("inbox:react", args=[chat.pk, message.pk]), {"emoji": "<b>"})
    assert response.status_code == 400 and not OutboundMessage.objects.exists()


def test_take_assigns_the_conversation_to_me(team, chat, agent):
    team.post(reverse("inbox:action", args=[chat.pk, "take"]))
    chat.refresh_from_db()
    assert chat.assignee == agent


def test_an_assignment_shows_for_everyone_else_at_the_next_poll(team, chat, client_for, admin):
    other = client_for(admin)
    thread = reverse("inbox:thread", args=[chat.pk])
    before = other.get(thread, headers=HTMX).content.decode()
    cursor = before.split("cursor=")[1].split('"')[0]
    team.post(reverse("inbox:assign", args=[chat.pk]), {"assignee": admin.pk})
    after = other.get(thread, {"cursor": cursor}, headers=HTMX)
    assert after.status_code == 200
    assert '<strong class="assignee">ada</strong>' in after.content.decode()


def test_assigning_to_someone_outside_the_team_is_refused(team, chat, operator):
    response = team.post(
        reverse("inbox:assign", args=[chat.pk]), {"assignee": operator.pk}, headers=HTMX
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    chat.refresh_from_db()
    assert chat.assignee is None


def test_labels_are_set_and_new_ones_made(team, chat):
    existing = Label.objects.create(name="Orders")
    team.post(
        reverse("inbox:labels", args=[chat.pk]), {"labels": [existing.pk], "new_label": "VIP"}
    )
    assert set(chat.labels.values_list("name", flat=True)) == {"Orders", "VIP"}


def test_a_private_note_is_kept_for_the_team(team, chat, agent):
    team.post(reverse("inbox:note", args=[chat.pk]), {"body": "Prefers email"})
    note = Note.objects.get()
    assert (note.author, note.body) == (agent, "Prefers email")
    assert not OutboundMessage.objects.exists()


def test_mark_read_and_unread(team, chat):
    team.post(reverse("inbox:action", args=[chat.pk, "read"]))
    chat.refresh_from_db()
    assert chat.unread_count == 0
    team.post(reverse("inbox:action", args=[chat.pk, "unread"]))
    chat.refresh_from_db()
    assert chat.unread_count == 1


def test_close_and_reopen(team, chat):
    team.post(reverse("inbox:action", args=[chat.pk, "close"]))
    chat.refresh_from_db()
    assert chat.state == "closed"
    team.post(reverse("inbox:action", args=[chat.pk, "reopen"]))
    chat.refresh_from_db()
    assert chat.state == "open"


def test_a_new_message_reopens_a_closed_conversation(client, team, chat):
    team.post(reverse("inbox:action", args=[chat.pk, "close"]))
    again = envelope("message", id=f"false_{CUSTOMER}_3EB0AGAIN")
    again["id"] = "evt_again"
    post(client, chat.instance, again)
    chat.refresh_from_db()
    assert chat.state == "open" and chat.unread_count == 2


def test_an_unknown_action_is_404_and_actions_need_post(team, chat):
    assert team.post(reverse("inbox:action", args=[chat.pk, "explode"])).status_code == 404
    assert team.get(reverse("inbox:action", args=[chat.pk, "close"])).status_code == 405


def test_operators_cannot_reply(client_for, operator, chat):
    response = client_for(operator).post(reverse("inbox:reply", args=[chat.pk]), {"text": "x"})
    assert response.status_code == 403 and not OutboundMessage.objects.exists()


def test_our_sent_reply_can_be_reacted_to_before_the_engine_echoes_it(team, chat):
    team.post(reverse("inbox:reply", args=[chat.pk]), {"text": "Sent"})
    bubble = ConversationMessage.objects.get(direction="out")
    OutboundMessage.objects.filter(pk=bubble.outbound_id).update(
        status="sent", provider_id=f"true_{CUSTOMER}_ABC"
    )
    team.post(reverse("inbox:react", args=[chat.pk, bubble.pk]), {"emoji": "🙏"})
    reaction = OutboundMessage.objects.get(kind="reaction")
    assert reaction.payload["message_id"] == f"true_{CUSTOMER}_ABC"

"""Each event kind, from recorded WAHA payloads, becomes what the inbox shows."""

from __future__ import annotations

import pytest
from django.db import connection

from campaigns.stats import campaign_counts
from inbox.models import Chat, ConversationMessage, WebhookEvent
from instances.models import OutboundMessage
from instances.outbound.status import wire_id
from tests.factories import InstanceFactory
from tests.inbox.webhooks import envelope, post, without_event_id

pytestmark = pytest.mark.django_db
CUSTOMER = "4917612345678@c.us"


@pytest.fixture
def instance():
    return InstanceFactory()


def test_an_incoming_message_opens_a_conversation_with_one_unread(client, instance):
    post(client, instance, envelope("message"))
    chat = Chat.objects.get()
    assert (chat.chat_id, chat.phone, chat.unread_count) == (CUSTOMER, "+4917612345678", 1)
    assert chat.last_message_preview == "Hallo! Ist meine Bestellung schon unterwegs?"
    message = chat.messages.get()
    assert message.direction == "in" and message.provider_id.startswith("false_")
    assert WebhookEvent.objects.get().state == "applied"


def test_message_and_message_any_of_one_incoming_message_make_one_bubble(client, instance):
    incoming = envelope("message")
    post(client, instance, incoming)
    post(client, instance, without_event_id(incoming, "message.any"))
    post(client, instance, without_event_id(incoming, "message"))
    chat = Chat.objects.get()
    assert chat.messages.count() == 1
    assert chat.unread_count == 1


def test_an_old_waha_message_without_event_id_is_applied_once(client, instance):
    old = envelope("message.old")
    post(client, instance, old)
    post(client, instance, old)
    assert ConversationMessage.objects.get().body == "Sent from an old WAHA"
    assert WebhookEvent.objects.count() == 1


def test_a_message_sent_from_the_phone_app_shows_as_outgoing_and_unread_stays(client, instance):
    post(client, instance, envelope("message.any"))
    chat = Chat.objects.get()
    message = chat.messages.get()
    assert (message.direction, message.outbound_id, message.tick) == ("out", None, "sent")
    assert chat.chat_id == CUSTOMER and chat.unread_count == 0
    assert message.media_state == "pending" and message.media_filename == "invoice-1042.pdf"


def test_our_own_send_echoed_by_message_any_is_not_counted_twice(client, instance):
    # Queued from the compose page: the engine names it true_<chat>_<client id in hex>.
    outbound = OutboundMessage.objects.create(
        instance=instance, chat_id=CUSTOMER, kind="text", payload={"text": "Shipped"}
    )
    echo = envelope(
        "message.any", id=f"true_{CUSTOMER}_{wire_id(outbound)}", body="Shipped", media=None
    )
    echo["payload"]["hasMedia"] = False
    post(client, instance, echo)
    post(client, instance, without_event_id(echo))
    message = ConversationMessage.objects.get()
    assert message.outbound == outbound
    assert message.provider_id == f"true_{CUSTOMER}_{wire_id(outbound)}"


def test_an_ack_moves_the_outbound_message_and_the_bubble_shows_the_same_tick(client, instance):
    outbound = OutboundMessage.objects.create(
        instance=instance,
        chat_id=CUSTOMER,
        kind="text",
        status="sent",
        provider_id="true_4917612345678@c.us_3EB0A1B2C3D4E5F60718",
    )
    post(client, instance, envelope("message.any"))
    post(client, instance, envelope("message.ack"))
    outbound.refresh_from_db()
    message = ConversationMessage.objects.get()
    assert outbound.status == "read"
    assert message.outbound == outbound and message.tick == "read"


def test_acks_out_of_order_never_move_a_phone_sent_bubble_back(client, instance):
    post(client, instance, envelope("message.any"))
    read = envelope("message.ack")
    post(client, instance, read)
    server = envelope("message.ack", ack=1, ackName="SERVER")
    server["id"] = "evt_server_ack_late"
    post(client, instance, server)
    assert ConversationMessage.objects.get().tick == "read"


def test_a_reaction_is_shown_on_its_message_and_taken_back(client, instance):
    post(client, instance, envelope("message.any"))
    post(client, instance, envelope("message.reaction"))
    message = ConversationMessage.objects.get()
    assert message.reactions == {CUSTOMER: "👍"}
    taken_back = envelope("message.reaction")
    taken_back["id"] = "evt_reaction_removed"
    taken_back["payload"]["reaction"]["text"] = ""
    post(client, instance, taken_back)
    message.refresh_from_db()
    assert message.reactions == {}


def test_a_revoked_message_is_marked_deleted_but_kept(client, instance):
    post(client, instance, envelope("message"))
    post(client, instance, envelope("message.revoked"))
    message = ConversationMessage.objects.get()
    assert message.revoked_at is not None and message.body
    assert Chat.objects.get().last_message_preview == "This message was deleted"


def test_an_edited_message_shows_the_new_text_marked_edited(client, instance):
    post(client, instance, envelope("message"))
    post(client, instance, envelope("message.edited"))
    message = ConversationMessage.objects.get()
    assert message.body == "Hallo! Ist meine Bestellung #1042 schon unterwegs?"
    assert message.edited_at is not None


def test_a_group_message_names_the_participant_who_wrote_it(client, instance):
    post(client, instance, envelope("message.group"))
    chat = Chat.objects.get()
    assert chat.is_group and chat.chat_id == "120363025555555555@g.us" and chat.phone == ""
    message = chat.messages.get()
    assert (message.sender_id, message.sender_name) == ("4917611112222@c.us", "Birgit")


def test_media_the_engine_could_not_download_shows_as_unavailable(client, instance):
    post(client, instance, envelope("message.media-error"))
    message = ConversationMessage.objects.get()
    assert message.media_state == "unavailable"
    assert message.media_error == "Media download failed: not available on the phone"


def test_an_incoming_media_message_waits_for_its_file(client, instance):
    post(client, instance, envelope("message.media"))
    message = ConversationMessage.objects.get()
    assert (message.media_state, message.media_mimetype) == ("pending", "image/jpeg")
    assert Chat.objects.get().last_message_preview == "[image/jpeg]"


def test_a_lid_sender_gets_a_conversation_under_the_lid_until_resolved(client, instance):
    post(client, instance, envelope("message.lid"))
    chat = Chat.objects.get()
    assert (chat.chat_id, chat.lid, chat.phone) == (
        "123456789012345@lid",
        "123456789012345@lid",
        "",
    )
    assert chat.name == "Carla"


def test_a_reply_to_a_message_is_linked_to_the_quoted_one(client, instance):
    post(client, instance, envelope("message"))
    answer = envelope("message", id=f"false_{CUSTOMER}_3EB0REPLY", body="And?")
    answer["id"] = "evt_answer"
    answer["payload"]["replyTo"] = {"id": f"false_{CUSTOMER}_3EB0C767D26A1D8F4A21"}
    post(client, instance, answer)
    reply = ConversationMessage.objects.get(body="And?")
    assert reply.quoted.body.startswith("Hallo!")


def test_a_message_older_than_the_latest_does_not_become_the_preview(client, instance):
    post(client, instance, envelope("message"))
    older = envelope("message", id=f"false_{CUSTOMER}_3EB0OLDER", body="Earlier", timestamp=1)
    older["id"] = "evt_older"
    post(client, instance, older)
    chat = Chat.objects.get()
    assert chat.last_message_preview.startswith("Hallo!") and chat.unread_count == 2


def test_a_status_broadcast_is_not_a_conversation(client, instance):
    post(client, instance, envelope("message", **{"from": "status@broadcast"}))
    assert not Chat.objects.exists()
    assert WebhookEvent.objects.get().state == "applied"


def test_an_echo_that_beats_the_send_answer_joins_the_waiting_inbox_reply(client, instance, agent):
    # WAHA 2024.10 ignores client ids: the echo's id is unknown until the send's answer is saved.
    from inbox.team import send_reply

    chat = Chat.objects.create(instance=instance, chat_id=CUSTOMER)
    reply = send_reply(chat, agent, "On its way")
    OutboundMessage.objects.filter(pk=reply.outbound_id).update(status="sending")
    echo = envelope("message.any", id=f"true_{CUSTOMER}_3EB0RANDOM", body="On its way", media=None)
    echo["payload"]["hasMedia"] = False
    post(client, instance, echo)
    assert chat.messages.count() == 1
    reply.refresh_from_db()
    assert reply.provider_id == f"true_{CUSTOMER}_3EB0RANDOM"


def campaign_message_to(instance, chat_id: str):
    """A campaign's recipient whose message went to `chat_id` before the recorded events, with
    the campaign's counters counted once, so that a reply has to move them."""
    from datetime import UTC, datetime

    from campaigns.models import Campaign, CampaignRecipient

    sent = OutboundMessage.objects.create(
        instance=instance,
        chat_id=chat_id,
        kind="text",
        status="delivered",
        sent_at=datetime(2024, 11, 1, tzinfo=UTC),
    )
    recipient = CampaignRecipient.objects.create(
        campaign=Campaign.objects.create(name="Autumn"), phone="+4917612345678", message=sent
    )
    assert campaign_counts(recipient.campaign).replied == 0
    return recipient


def test_an_incoming_message_counts_as_a_reply_to_the_campaign_that_messaged_them(client, instance):
    recipient = campaign_message_to(instance, CUSTOMER)
    post(client, instance, envelope("message"))
    recipient.refresh_from_db()
    assert recipient.replied_at is not None
    assert campaign_counts(recipient.campaign).replied == 1


def test_a_message_in_a_group_is_no_reply_to_a_campaign_message_sent_there(client, instance):
    recipient = campaign_message_to(instance, "120363025555555555@g.us")
    post(client, instance, envelope("message.group"))
    assert Chat.objects.get().messages.count() == 1
    recipient.refresh_from_db()
    assert recipient.replied_at is None
    assert campaign_counts(recipient.campaign).replied == 0


def test_a_first_message_links_the_contact_with_that_phone_and_names_the_chat(client, instance):
    from campaigns.models import Contact

    contact = Contact.objects.create(phone="+4917612345678", name="Jonas")
    post(client, instance, envelope("message", _data={"notifyName": "Jonas B."}))
    chat = Chat.objects.get()
    assert chat.contact == contact
    assert chat.name == "Jonas B." and chat.state == "open" and not chat.is_group


def test_an_incoming_message_costs_few_statements_for_a_new_or_a_known_chat(
    client, instance, django_assert_max_num_queries
):
    def message_from(customer: str, n: int) -> dict:
        data = envelope("message", id=f"false_{customer}_M{n}", **{"from": customer})
        data["id"] = f"evt_{n}"
        return data

    post(client, instance, message_from("4917600000001@c.us", 1))
    # BEGIN, the event, the chat's upsert, the bubble, campaign replies, COMMIT; on PostgreSQL
    # the upsert, the bubble and the replies are one statement.
    statements = 4 if connection.vendor == "postgresql" else 6
    with django_assert_max_num_queries(statements):
        post(client, instance, message_from(CUSTOMER, 2))
    with django_assert_max_num_queries(statements):
        post(client, instance, message_from(CUSTOMER, 3))
    assert Chat.objects.get(chat_id=CUSTOMER).unread_count == 2


def test_media_from_a_gateway_that_cannot_download_says_so_and_offers_no_retry(
    client, client_for, agent
):
    from pathlib import Path

    chat_api = InstanceFactory(engine="chatapi", base_url="https://api.chat-api.test")
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "chatapi" / "message.json"
    post(client, chat_api, fixture.read_bytes())
    image = ConversationMessage.objects.get(provider_id__endswith="3A0B7C1E55D2F0A9B1C4")
    assert image.media_state == "unavailable" and image.media_source == ""
    page = client_for(agent).get(f"/inbox/{image.chat_id}/").content.decode()
    assert "Media unavailable" in page and "This gateway offers no way to download files." in page
    assert "amazonaws" not in page and "Retry" not in page

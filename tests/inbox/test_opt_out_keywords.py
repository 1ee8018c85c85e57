"""A customer who writes STOP (any case, any accents, or a configured word) is opted out."""

from __future__ import annotations

import pytest

from campaigns.models import Campaign, CampaignRecipient, Contact
from inbox.models import Chat, Note
from inbox.opt_outs import is_opt_out
from instances.models import OutboundMessage
from tests.factories import InstanceFactory
from tests.inbox.webhooks import envelope, post

pytestmark = pytest.mark.django_db
CUSTOMER = "4917612345678@c.us"


@pytest.mark.parametrize(
    "text", ["STOP", "stop", " Stop! ", "Unsubscribe.", "stöp", "\uff33\uff34\uff2f\uff30"]
)
def test_keywords_match_in_any_case_and_without_accents(text):
    assert is_opt_out(text)


@pytest.mark.parametrize("text", ["Please don't stop", "stopwatch", "", "STOP " * 30])
def test_a_keyword_inside_other_words_is_not_an_opt_out(text):
    assert not is_opt_out(text)


def test_a_configured_keyword_opts_out_too(settings):
    settings.INBOX_OPT_OUT_KEYWORDS = ["Baja"]
    assert is_opt_out("BAJA") and is_opt_out("bajá")


def test_stop_marks_the_contact_withdraws_queued_campaign_messages_and_notes_it(client):
    instance = InstanceFactory()
    contact = Contact.objects.create(phone="+4917612345678", name="Jonas")
    campaign_message = OutboundMessage.objects.create(
        instance=instance, chat_id=CUSTOMER, kind="text"
    )
    campaign = Campaign.objects.create(name="Spring sale")
    recipient = CampaignRecipient.objects.create(
        campaign=campaign,
        contact=contact,
        phone=contact.phone,
        message=campaign_message,
        status="queued",
        instance=instance,
    )
    team_reply = OutboundMessage.objects.create(instance=instance, chat_id=CUSTOMER, kind="text")
    post(client, instance, envelope("message", body="STOP"))
    contact.refresh_from_db()
    campaign_message.refresh_from_db()
    team_reply.refresh_from_db()
    recipient.refresh_from_db()
    assert contact.opted_out and contact.opted_out_at is not None
    assert campaign_message.status == "cancelled" and recipient.status == "skipped"
    assert team_reply.status == "queued"
    chat = Chat.objects.get()
    assert chat.contact == contact
    assert "Opted out" in Note.objects.get(chat=chat).body


def test_stop_from_someone_not_in_the_contacts_makes_an_opted_out_contact(client):
    post(client, InstanceFactory(), envelope("message", body="unsubscribe"))
    assert Contact.objects.get(phone="+4917612345678").opted_out


def test_stop_in_a_group_opts_nobody_out(client):
    post(client, InstanceFactory(), envelope("message.group", body="STOP"))
    assert not Contact.objects.exists()

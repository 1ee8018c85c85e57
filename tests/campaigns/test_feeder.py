"""The feeder queues each recipient once, round robin over working numbers, at the campaign's
pace, and never messages anyone who opted out."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, time, timedelta

import pytest

from campaigns.audience import Row
from campaigns.feeder import MAX_AHEAD, feed_campaign
from campaigns.models import CampaignStatus, Contact, RecipientStatus
from instances.models import InstanceStatus, OutboundMessage, OutboundStatus, QueueSettings
from tests.campaigns.conftest import PHONES

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday


def feed(campaign, now=NOW, seed=1):
    return feed_campaign(campaign.pk, now=now, rng=random.Random(seed))


def test_each_recipient_gets_one_personalised_message(make_campaign):
    campaign = make_campaign(3, status=CampaignStatus.RUNNING)

    assert feed(campaign) == 3

    messages = OutboundMessage.objects.order_by("id")
    assert [m.payload["text"] for m in messages] == [
        "Hello Person 0",
        "Hello Person 1",
        "Hello Person 2",
    ]
    assert set(campaign.recipients.values_list("status", flat=True)) == {RecipientStatus.QUEUED}
    assert all(r.message_id for r in campaign.recipients.all())


def test_running_the_feeder_twice_queues_nobody_twice(make_campaign):
    campaign = make_campaign(5, status=CampaignStatus.RUNNING)

    feed(campaign)
    assert feed(campaign) == 0

    assert OutboundMessage.objects.count() == 5
    chats = Counter(OutboundMessage.objects.values_list("chat_id", flat=True))
    assert set(chats.values()) == {1}


def test_recipients_are_shared_round_robin_among_working_numbers(make_campaign, number):
    first, second, third = number("A"), number("B"), number("C", status=InstanceStatus.FAILED)
    campaign = make_campaign(7, numbers=[first, second, third], status=CampaignStatus.RUNNING)

    feed(campaign)

    order = list(OutboundMessage.objects.order_by("id").values_list("instance__name", flat=True))
    assert order == ["A", "B", "A", "B", "A", "B", "A"]


def test_a_paused_number_pauses_the_campaign_with_the_numbers_reason(make_campaign, number):
    first, second = number("A"), number("B")
    campaign = make_campaign(4, numbers=[first, second], status=CampaignStatus.RUNNING)
    feed(campaign)
    QueueSettings.objects.filter(instance=second).update(
        paused=True, pause_reason="WhatsApp restricts this number (error 463)."
    )

    assert feed(campaign) == 0

    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PAUSED
    assert campaign.pause_reason == "B stopped sending: WhatsApp restricts this number (error 463)."
    assert not OutboundMessage.objects.filter(status=OutboundStatus.QUEUED).exists()
    assert campaign.recipients.filter(status=RecipientStatus.PENDING).count() == 4


def test_if_the_operator_chose_so_a_paused_numbers_share_moves_to_the_others(make_campaign, number):
    first, second = number("A"), number("B")
    campaign = make_campaign(
        4, numbers=[first, second], status=CampaignStatus.RUNNING, move_from_paused_numbers=True
    )
    feed(campaign)
    QueueSettings.objects.filter(instance=second).update(paused=True)

    feed(campaign)

    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.RUNNING
    live = OutboundMessage.objects.filter(status=OutboundStatus.QUEUED)
    assert set(live.values_list("instance__name", flat=True)) == {"A"}
    assert live.count() == 4


def test_variants_are_rotated_so_each_number_sends_each_wording(make_campaign, number):
    first, second = number("A"), number("B")
    campaign = make_campaign(
        8, texts=["One {name}", "Two {name}"], numbers=[first, second], status="running"
    )

    feed(campaign)

    sent = Counter(
        (m.instance.name, m.payload["text"].split()[0])
        for m in OutboundMessage.objects.select_related("instance")
    )
    assert sent == {("A", "One"): 2, ("A", "Two"): 2, ("B", "One"): 2, ("B", "Two"): 2}


def test_messages_are_spaced_by_the_wait_and_sleep_after_n(make_campaign):
    campaign = make_campaign(
        6,
        status=CampaignStatus.RUNNING,
        wait_between_messages_from=10,
        wait_between_messages_to=10,
        sleep_after_from=3,
        sleep_after_to=3,
        sleep_time_from=60,
        sleep_time_to=60,
    )

    feed(campaign)

    due = [m.send_at - NOW for m in OutboundMessage.objects.order_by("id")]
    seconds = [d.total_seconds() for d in due]
    assert seconds == [0, 10, 20, 90, 100, 110]


def test_only_a_few_minutes_are_queued_ahead(make_campaign):
    campaign = make_campaign(
        50,
        status=CampaignStatus.RUNNING,
        wait_between_messages_from=30,
        wait_between_messages_to=30,
    )

    queued = feed(campaign)

    assert queued == 7  # 0 s, 30 s, ... 180 s: the next would be past the three-minute horizon
    assert campaign.recipients.filter(status=RecipientStatus.PENDING).count() == 43
    assert feed(campaign, now=NOW + timedelta(seconds=60)) == 2


def test_at_most_a_bounded_number_is_queued_per_number(make_campaign):
    campaign = make_campaign(
        [Row(f"+4915123{n:06d}") for n in range(MAX_AHEAD + 10)], status="running"
    )

    assert feed(campaign) == MAX_AHEAD


def test_nothing_is_queued_outside_the_sending_window(make_campaign):
    campaign = make_campaign(
        2, status=CampaignStatus.RUNNING, window_from=time(12), window_until=time(18)
    )

    assert feed(campaign) == 0
    assert feed(campaign, now=NOW.replace(hour=12, minute=1)) == 2


def test_an_opted_out_contact_is_never_messaged(make_campaign):
    Contact.objects.create(phone=PHONES[1], name="Person 1")
    campaign = make_campaign(3, status=CampaignStatus.RUNNING)
    Contact.objects.filter(phone=PHONES[1]).update(opted_out=True)

    feed(campaign)

    assert OutboundMessage.objects.count() == 2
    skipped = campaign.recipients.get(phone=PHONES[1])
    assert skipped.status == RecipientStatus.SKIPPED and skipped.message is None


def test_opting_out_after_being_queued_withdraws_the_message(make_campaign):
    Contact.objects.create(phone=PHONES[0])
    campaign = make_campaign(2, status=CampaignStatus.RUNNING)
    feed(campaign)
    Contact.objects.filter(phone=PHONES[0]).update(opted_out=True)

    feed(campaign)

    recipient = campaign.recipients.select_related("message").get(phone=PHONES[0])
    assert recipient.status == RecipientStatus.SKIPPED
    assert recipient.message.status == OutboundStatus.CANCELLED


def test_a_message_the_queue_refuses_fails_its_recipient_with_the_reason(make_campaign):
    campaign = make_campaign(2, texts=["{code}"], status=CampaignStatus.RUNNING)

    feed(campaign)

    assert OutboundMessage.objects.count() == 0
    failed = campaign.recipients.first()
    assert failed.status == RecipientStatus.FAILED
    assert failed.error


def test_the_campaign_finishes_when_every_message_is_done(make_campaign):
    campaign = make_campaign(2, status=CampaignStatus.RUNNING)
    feed(campaign)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.RUNNING

    OutboundMessage.objects.update(status=OutboundStatus.SENT)
    feed(campaign)

    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.FINISHED
    assert campaign.finished_at == NOW


def test_the_campaign_pauses_itself_when_every_number_is_paused(make_campaign, number):
    first = number("A")
    campaign = make_campaign(
        2, numbers=[first], status=CampaignStatus.RUNNING, move_from_paused_numbers=True
    )
    QueueSettings.objects.filter(instance=first).update(
        paused=True, pause_reason="The last 5 messages failed in a row."
    )

    assert feed(campaign) == 0

    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PAUSED
    assert campaign.pause_reason == "A stopped sending: The last 5 messages failed in a row."


def test_a_campaign_that_is_not_running_is_left_alone(make_campaign):
    campaign = make_campaign(2, status=CampaignStatus.PAUSED)

    assert feed(campaign) == 0
    assert OutboundMessage.objects.count() == 0


def test_media_goes_with_the_personalised_text_as_its_caption(make_campaign):
    campaign = make_campaign(
        1,
        texts=["Our menu, {name}"],
        status=CampaignStatus.RUNNING,
        media_kind="image",
        media_url="https://example.com/menu.jpg",
    )

    feed(campaign)

    message = OutboundMessage.objects.get()
    assert message.kind == "image"
    assert message.payload == {
        "url": "https://example.com/menu.jpg",
        "caption": "Our menu, Person 0",
    }


def test_campaign_messages_give_way_to_one_off_messages_on_the_same_number(make_campaign):
    campaign = make_campaign(1, status=CampaignStatus.RUNNING)

    feed(campaign)

    assert OutboundMessage.objects.get().priority < 0

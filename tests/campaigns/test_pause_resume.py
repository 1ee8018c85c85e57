"""Pausing takes back what is queued and not yet being sent; resuming sends exactly those, so
nobody is skipped and nobody gets the message twice."""

from __future__ import annotations

from collections import Counter

import pytest

from campaigns import services
from campaigns.feeder import feed_campaign
from campaigns.models import CampaignStatus, RecipientStatus
from instances.models import OutboundMessage
from instances.models import OutboundStatus as S

pytestmark = pytest.mark.django_db


def live_messages_per_chat() -> Counter:
    return Counter(
        OutboundMessage.objects.exclude(status=S.CANCELLED).values_list("chat_id", flat=True)
    )


def test_pause_then_resume_loses_and_repeats_nothing(
    make_campaign, django_capture_on_commit_callbacks
):
    campaign = make_campaign(10, status=CampaignStatus.RUNNING)
    feed_campaign(campaign.pk)
    ids = list(OutboundMessage.objects.order_by("id").values_list("id", flat=True))
    OutboundMessage.objects.filter(id__in=ids[:3]).update(status=S.SENT)
    OutboundMessage.objects.filter(id=ids[3]).update(status=S.SENDING)

    returned = services.pause_campaign(campaign)

    assert returned == 6
    assert OutboundMessage.objects.filter(status=S.QUEUED).count() == 0
    assert campaign.recipients.filter(status=RecipientStatus.PENDING).count() == 6
    # The one being sent goes on and keeps its recipient.
    assert campaign.recipients.get(message_id=ids[3]).status == RecipientStatus.QUEUED
    assert feed_campaign(campaign.pk) == 0

    with django_capture_on_commit_callbacks():
        services.resume_campaign(campaign)
    feed_campaign(campaign.pk)

    per_chat = live_messages_per_chat()
    assert len(per_chat) == 10 and set(per_chat.values()) == {1}
    assert not campaign.recipients.filter(status=RecipientStatus.PENDING).exists()


def test_a_paused_campaign_shows_why(make_campaign):
    campaign = make_campaign(status=CampaignStatus.RUNNING)

    services.pause_campaign(campaign, "Paused for the holiday")

    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PAUSED
    assert campaign.pause_reason == "Paused for the holiday"


def test_cancelling_takes_back_every_queued_message(make_campaign):
    campaign = make_campaign(4, status=CampaignStatus.RUNNING)
    feed_campaign(campaign.pk)

    services.cancel_campaign(campaign)

    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {S.CANCELLED}
    assert feed_campaign(campaign.pk) == 0

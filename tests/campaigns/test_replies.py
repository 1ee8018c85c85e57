"""A recipient who writes back after the campaign's message counts as replied."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.feeder import feed_campaign
from campaigns.models import CampaignStatus
from campaigns.services import record_reply
from campaigns.stats import campaign_counts
from instances.models import OutboundMessage, OutboundStatus

pytestmark = pytest.mark.django_db


def test_a_reply_after_the_message_is_counted_once(make_campaign):
    campaign = make_campaign(2, status=CampaignStatus.RUNNING)
    feed_campaign(campaign.pk)
    sent_at = timezone.now()
    OutboundMessage.objects.update(status=OutboundStatus.DELIVERED, sent_at=sent_at)
    chat_id = OutboundMessage.objects.order_by("id").first().chat_id

    assert record_reply(chat_id, sent_at - timedelta(minutes=1)) == 0
    assert record_reply(chat_id, sent_at + timedelta(minutes=1)) == 1
    assert record_reply(chat_id, sent_at + timedelta(minutes=2)) == 0

    assert campaign_counts(campaign).replied == 1

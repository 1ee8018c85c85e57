"""Feeders racing on PostgreSQL (two workers, or the schedule and a start at once): every
recipient is queued exactly once."""

from __future__ import annotations

from collections import Counter
from functools import partial

import pytest
from django.db import connection

from campaigns.feeder import feed_campaign
from campaigns.models import CampaignStatus, RecipientStatus
from instances.models import OutboundMessage
from tests.together import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-lock races need PostgreSQL"),
]

FEEDERS = 4


def test_racing_feeders_queue_each_recipient_once(make_campaign, number):
    campaign = make_campaign(60, numbers=[number("A"), number("B")], status=CampaignStatus.RUNNING)
    queued = [0] * FEEDERS

    def work(index: int) -> None:
        queued[index] = feed_campaign(campaign.pk)

    assert run_together([partial(work, n) for n in range(FEEDERS)]) == []

    assert sum(queued) == 60
    chats = Counter(OutboundMessage.objects.values_list("chat_id", flat=True))
    assert len(chats) == 60 and set(chats.values()) == {1}
    assert not campaign.recipients.exclude(status=RecipientStatus.QUEUED).exists()

"""Feeders racing on PostgreSQL (two workers, or the schedule and a start at once): every
recipient is queued exactly once."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from campaigns.feeder import feed_campaign
from campaigns.models import CampaignStatus, RecipientStatus
from instances.models import OutboundMessage

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-lock races need PostgreSQL"),
]

FEEDERS = 4


def test_racing_feeders_queue_each_recipient_once(make_campaign, number):
    campaign = make_campaign(60, numbers=[number("A"), number("B")], status=CampaignStatus.RUNNING)
    start = threading.Barrier(FEEDERS)
    queued = [0] * FEEDERS

    def work(index: int) -> None:
        try:
            start.wait()
            queued[index] = feed_campaign(campaign.pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(FEEDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(queued) == 60
    chats = Counter(OutboundMessage.objects.values_list("chat_id", flat=True))
    assert len(chats) == 60 and set(chats.values()) == {1}
    assert not campaign.recipients.exclude(status=RecipientStatus.QUEUED).exists()

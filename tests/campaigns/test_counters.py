"""Campaign counters: kept in the transaction of every move, equal to a recount from the rows,
and corrected by the watchdog's recount when something moved without telling them."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns import counters, services
from campaigns.feeder import feed_campaign
from campaigns.models import Campaign, CampaignCounts, CampaignStatus, Contact
from campaigns.stats import campaign_counts, campaign_stats
from instances.engines.base import Ack
from instances.models import OutboundMessage
from instances.models import OutboundStatus as S
from instances.outbound import enqueue
from instances.outbound.status import apply_ack, wire_id
from tests.together import run_together

FIELDS = (*counters.STAGES, "replied")


def kept(campaign: Campaign) -> dict:
    rows = CampaignCounts.objects.filter(campaign=campaign)
    return {row.instance_id: {name: getattr(row, name) for name in FIELDS} for row in rows}


def assert_kept_equals_a_recount(campaign: Campaign) -> None:
    before = kept(campaign)
    counters.recount(campaign.pk)
    assert before == kept(campaign)


def ack(message: OutboundMessage, level: Ack) -> bool:
    return apply_ack(message.instance, f"true_{message.chat_id}_{wire_id(message)}", level)


@pytest.mark.django_db
def test_every_move_keeps_the_counters_equal_to_a_recount(make_campaign, number):
    campaign = make_campaign(6, numbers=[number("A"), number("B")], status=CampaignStatus.RUNNING)
    first = campaign.recipients.order_by("id").first()
    Contact.objects.create(phone=first.phone, opted_out=True)

    feed_campaign(campaign.pk)
    assert_kept_equals_a_recount(campaign)
    assert campaign_counts(campaign).opted_out == 1 and campaign_counts(campaign).queued == 5

    messages = list(OutboundMessage.objects.order_by("id"))
    OutboundMessage.objects.update(sent_at=timezone.now() - timedelta(seconds=5))
    ack(messages[0], Ack.SERVER)
    ack(messages[0], Ack.READ)
    ack(messages[1], Ack.DEVICE)
    ack(messages[1], Ack.SERVER)  # late and out of order: moves nothing
    services.record_reply(messages[0].chat_id, timezone.now())
    services.record_reply(messages[0].chat_id, timezone.now())  # the same reply, counted once
    assert_kept_equals_a_recount(campaign)
    counts = campaign_counts(campaign)
    assert (counts.sent, counts.delivered, counts.read, counts.replied) == (2, 2, 1, 1)

    Contact.objects.create(phone=campaign.recipients.get(message=messages[2]).phone, opted_out=True)
    feed_campaign(campaign.pk)
    assert_kept_equals_a_recount(campaign)
    assert campaign_counts(campaign).opted_out == 2

    services.pause_campaign(campaign)
    assert_kept_equals_a_recount(campaign)
    assert campaign_counts(campaign).pending == 2

    services.resume_campaign(campaign)
    feed_campaign(campaign.pk)
    assert_kept_equals_a_recount(campaign)
    assert [(bar.sent, bar.delivered, bar.read) for bar in chart_bars(campaign)] == [(2, 2, 1)]


def chart_bars(campaign: Campaign):
    return campaign_stats(campaign).bars


@pytest.mark.django_db
def test_a_move_no_signal_reports_is_corrected_by_the_recount(make_campaign):
    campaign = make_campaign(2, status=CampaignStatus.RUNNING)
    feed_campaign(campaign.pk)
    OutboundMessage.objects.update(status=S.CANCELLED)  # as the Messages page's clear does

    assert campaign_counts(campaign).cancelled == 0
    counters.recount(campaign.pk)
    assert campaign_counts(campaign).cancelled == 2


@pytest.mark.django_db
def test_a_campaign_never_counted_is_counted_when_shown(client_for, operator, make_campaign):
    campaign = make_campaign(3)
    CampaignCounts.objects.all().delete()
    Campaign.objects.update(counted_at=None)

    page = client_for(operator).get(reverse("campaigns:detail", args=[campaign.pk]))

    assert '<strong data-count="pending">3</strong>' in " ".join(page.text.split())
    assert Campaign.objects.get().counted_at is not None


@pytest.mark.django_db
def test_the_watchdog_recounts_running_campaigns_and_quiet_ones_hourly_for_a_day(make_campaign):
    now = timezone.now()
    running = make_campaign(1, name="Running", status=CampaignStatus.RUNNING)
    paused_long_ago = make_campaign(1, name="Paused", status=CampaignStatus.PAUSED)
    counted_recently = make_campaign(1, name="Fresh", status=CampaignStatus.PAUSED)
    ended_today = make_campaign(1, name="Ended today", status=CampaignStatus.FINISHED)
    ended_last_week = make_campaign(1, name="Ended last week", status=CampaignStatus.CANCELLED)
    make_campaign(1, name="Draft")
    Campaign.objects.update(counted_at=now - timedelta(hours=2))
    Campaign.objects.filter(pk=counted_recently.pk).update(counted_at=now - timedelta(minutes=5))
    Campaign.objects.filter(pk=ended_today.pk).update(finished_at=now - timedelta(hours=3))
    Campaign.objects.filter(pk=ended_last_week.pk).update(finished_at=now - timedelta(days=7))

    due = set(counters.campaigns_to_recount(now).values_list("name", flat=True))

    assert due == {running.name, paused_long_ago.name, ended_today.name}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row-lock races need PostgreSQL")
def test_acks_feeds_and_recounts_on_parallel_workers_lose_nothing_and_never_deadlock(
    make_campaign, number
):
    campaign = make_campaign(100, numbers=[number("A"), number("B")], status=CampaignStatus.RUNNING)
    feed_campaign(campaign.pk, batch=60)
    messages = list(OutboundMessage.objects.order_by("id"))
    assert len(messages) == 60
    workers = 4

    def acknowledge(share: list[OutboundMessage]) -> None:
        for message in share:
            for level in (Ack.SERVER, Ack.DEVICE, Ack.READ):
                ack(message, level)

    def feed_and_recount() -> None:
        for _ in range(5):
            feed_campaign(campaign.pk)
            counters.recount(campaign.pk)

    def recount() -> None:
        for _ in range(5):
            counters.recount(campaign.pk)

    jobs = [partial(acknowledge, messages[n::workers]) for n in range(workers)]
    assert run_together([*jobs, feed_and_recount, recount]) == []
    counts = campaign_counts(campaign)
    assert (counts.read, counts.queued, counts.total) == (60, 40, 100)
    assert sum(bar.read for bar in chart_bars(campaign)) == len(messages)
    assert_kept_equals_a_recount(campaign)


@pytest.mark.django_db
def test_a_send_that_is_no_campaigns_costs_the_counters_no_query(make_campaign):
    campaign = make_campaign(1, status=CampaignStatus.RUNNING)
    composed = enqueue(campaign.lanes.get().instance, "+4915199999999", "text", {"text": "Hi"})

    with CaptureQueriesContext(connection) as queries:
        assert ack(composed, Ack.SERVER)

    assert not [q["sql"] for q in queries.captured_queries if "campaigns_" in q["sql"]]

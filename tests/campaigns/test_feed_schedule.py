"""The minute schedule starts scheduled campaigns that are due and feeds every running one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import OrmQ, Schedule

from campaigns import tasks
from campaigns.models import Campaign, CampaignStatus
from instances.models import OutboundMessage

pytestmark = pytest.mark.django_db


def test_the_feeder_schedule_exists_and_runs_every_minute():
    schedule = Schedule.objects.get(name="Campaign feeder")

    assert schedule.func == "campaigns.tasks.feed_campaigns"
    assert schedule.schedule_type == Schedule.MINUTES and schedule.minutes == 1


def test_a_due_campaign_is_started_and_every_running_one_gets_a_feed_task(make_campaign):
    due = make_campaign(2, name="Due", status=CampaignStatus.SCHEDULED)
    Campaign.objects.filter(pk=due.pk).update(scheduled_at=timezone.now() - timedelta(seconds=5))
    later = make_campaign(2, name="Later", status=CampaignStatus.SCHEDULED)
    Campaign.objects.filter(pk=later.pk).update(scheduled_at=timezone.now() + timedelta(hours=1))
    make_campaign(2, name="Running", status=CampaignStatus.RUNNING)
    before = OrmQ.objects.count()

    tasks.feed_campaigns()

    due.refresh_from_db()
    later.refresh_from_db()
    assert due.status == CampaignStatus.RUNNING
    assert later.status == CampaignStatus.SCHEDULED
    assert OrmQ.objects.count() - before == 2


def test_a_due_campaign_that_cannot_start_goes_back_to_draft_with_the_reason(make_campaign):
    campaign = make_campaign(0, status=CampaignStatus.SCHEDULED)
    Campaign.objects.filter(pk=campaign.pk).update(scheduled_at=timezone.now())

    tasks.feed_campaigns()

    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
    assert "Add recipients first" in campaign.pause_reason


def test_the_feed_task_queues_the_campaign(make_campaign):
    campaign = make_campaign(2, status=CampaignStatus.RUNNING)

    tasks.feed_campaign(campaign.pk)

    assert OutboundMessage.objects.count() == 2

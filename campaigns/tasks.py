"""django-q2 entry points for campaigns: take ids, load fresh rows, call one service."""

from __future__ import annotations

from django_q.tasks import async_task

from campaigns import feeder, services
from campaigns.models import Campaign, CampaignStatus


def feed_campaigns() -> None:
    """Every minute (a Schedule): start scheduled campaigns that are due, then feed each
    running campaign in a task of its own."""
    services.start_due_campaigns()
    running = Campaign.objects.filter(status=CampaignStatus.RUNNING).values_list("pk", flat=True)
    for campaign_id in running:
        async_task("campaigns.tasks.feed_campaign", campaign_id, group=f"campaign-{campaign_id}")


def feed_campaign(campaign_id: int) -> None:
    feeder.feed_campaign(campaign_id)

"""django-q2 entry points for campaigns: take ids, load fresh rows, call one service."""

from __future__ import annotations

from django_q.tasks import async_task

from campaigns import counters, feeder, services
from campaigns.models import CampaignStatus


def feed_campaigns() -> None:
    """Every minute (a Schedule): start scheduled campaigns that are due, then feed each
    running campaign in a task of its own, and recount the counters that are due for it
    (campaigns/counters.py)."""
    services.start_due_campaigns()
    for campaign_id, status in counters.campaigns_to_recount().values_list("pk", "status"):
        running = status == CampaignStatus.RUNNING
        task = "campaigns.tasks.feed_campaign" if running else "campaigns.tasks.recount_campaign"
        async_task(task, campaign_id, group=f"campaign-{campaign_id}")


def feed_campaign(campaign_id: int) -> None:
    feeder.feed_campaign(campaign_id)
    counters.recount(campaign_id)


def recount_campaign(campaign_id: int) -> None:
    counters.recount(campaign_id)

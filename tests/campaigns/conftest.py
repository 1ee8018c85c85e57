"""Campaign fixtures: numbers that may send, and campaigns built through the services."""

from __future__ import annotations

import pytest

from campaigns import services
from campaigns.audience import Row, add_rows
from campaigns.models import Campaign
from instances.models import InstanceStatus, QueueSettings
from tests.factories import InstanceFactory

PHONES = [f"+4915123456{n:03d}" for n in range(100)]


@pytest.fixture
def number(db):
    """A WORKING instance paced at zero delay, named so that several sort in creation order."""
    made = []

    def make(name: str | None = None, **fields):
        fields.setdefault("status", InstanceStatus.WORKING)
        instance = InstanceFactory(name=name or f"Number {len(made) + 1}", **fields)
        QueueSettings.objects.create(instance=instance, min_delay_seconds=0, max_delay_seconds=0)
        made.append(instance)
        return instance

    return make


@pytest.fixture
def make_campaign(db, number):
    def make(
        recipients: int | list = 3,
        *,
        texts: list[str] | None = None,
        numbers: list | None = None,
        status: str | None = None,
        **fields,
    ) -> Campaign:
        fields = {
            "wait_between_messages_from": 0,
            "wait_between_messages_to": 0,
            "sleep_after_from": 0,
            "sleep_after_to": 0,
            "sleep_time_from": 0,
            "sleep_time_to": 0,
            **fields,
        }
        campaign = Campaign(name=fields.pop("name", "Spring sale"), **fields)
        services.save_campaign(
            campaign, texts or ["Hello {name}"], numbers if numbers is not None else [number()]
        )
        rows = (
            [Row(phone, f"Person {i}") for i, phone in enumerate(PHONES[:recipients])]
            if isinstance(recipients, int)
            else recipients
        )
        add_rows(campaign, rows)
        if status:
            Campaign.objects.filter(pk=campaign.pk).update(status=status)
            campaign.refresh_from_db()
        return campaign

    return make

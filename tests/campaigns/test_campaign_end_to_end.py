"""A small campaign on two simulator numbers, sent by the real dispatcher over HTTP."""

from __future__ import annotations

import random
from collections import Counter

import httpx
import pytest

from campaigns import services
from campaigns.audience import Row, add_rows
from campaigns.feeder import feed_campaign
from campaigns.models import Campaign, CampaignStatus
from campaigns.stats import campaign_counts
from instances.models import InstanceStatus, QueueSettings
from instances.outbound.dispatcher import send_next
from tests.factories import InstanceFactory
from tests.simulator_fixture import SIMULATOR_TEST_API_KEY

pytestmark = pytest.mark.django_db

PEOPLE = [Row(f"+49151234560{n:02d}", f"Person {n}", {"code": f"C{n}"}) for n in range(6)]


@pytest.fixture
def sim_api(simulator):
    with httpx.Client(
        base_url=simulator.url, headers={"X-Api-Key": simulator.api_key}, timeout=5
    ) as client:
        yield client


def linked_number(simulator, sim_api, session: str, phone: str):
    assert sim_api.post("/api/sessions", json={"name": session}).status_code == 201
    sim_api.get(f"/api/sessions/{session}")
    sim_api.post(f"/simulator/sessions/{session}/scan", json={"phone": phone})
    instance = InstanceFactory(
        name=session,
        base_url=simulator.url,
        session_name=session,
        api_key=SIMULATOR_TEST_API_KEY,
        status=InstanceStatus.WORKING,
    )
    QueueSettings.objects.create(instance=instance, min_delay_seconds=0, max_delay_seconds=0)
    return instance


def outgoing(sim_api, session: str) -> list[dict]:
    records = sim_api.get(f"/simulator/sessions/{session}/messages").json()
    return [record for record in records if record["direction"] == "outgoing"]


def test_a_campaign_reaches_every_recipient_once_across_two_numbers(
    simulator, sim_api, django_capture_on_commit_callbacks
):
    first = linked_number(simulator, sim_api, "default", "+15550001234")
    second = linked_number(simulator, sim_api, "second", "+15550005678")
    campaign = Campaign(
        name="Launch",
        wait_between_messages_from=0,
        wait_between_messages_to=0,
        sleep_after_from=0,
        sleep_after_to=0,
    )
    services.save_campaign(campaign, ["Hi {name}, your code is {code}"], [first, second])
    add_rows(campaign, PEOPLE)
    with django_capture_on_commit_callbacks():
        services.start_campaign(campaign)

    feed_campaign(campaign.pk)
    for instance in (first, second):
        while send_next(instance.pk, rng=random.Random(3), burst_seconds=0) is not None:
            pass
    # Counted as each send's outcome was recorded, before the finishing feed recounts.
    assert campaign_counts(campaign).sent == 6
    feed_campaign(campaign.pk)

    sent = outgoing(sim_api, "default") + outgoing(sim_api, "second")
    texts = Counter(record["request"]["text"] for record in sent)
    assert texts == Counter(f"Hi Person {n}, your code is C{n}" for n in range(6))
    assert len(outgoing(sim_api, "default")) == len(outgoing(sim_api, "second")) == 3
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.FINISHED
    counts = campaign_counts(campaign)
    assert (counts.sent, counts.pending, counts.queued, counts.progress) == (6, 0, 0, 100)

"""A bulk send with variables to 100 numbers, fed by the campaign feeder and sent by the real
dispatcher to the simulator over HTTP, followed to the end through the API."""

from __future__ import annotations

import random
from datetime import timedelta
from itertools import pairwise

import httpx
import pytest
from django.utils import timezone

from api.models import ApiBatch
from campaigns.feeder import FEED_HORIZON, feed_campaign
from instances.models import InstanceStatus, OutboundMessage, QueueSettings
from instances.outbound.dispatcher import send_next
from tests.factories import InstanceFactory
from tests.simulator_fixture import SIMULATOR_TEST_API_KEY

pytestmark = pytest.mark.django_db

PEOPLE = [(f"+4915123456{n:03d}", f"Person {n}", f"C{n}") for n in range(100)]


@pytest.fixture
def sim_api(simulator):
    with httpx.Client(
        base_url=simulator.url, headers={"X-Api-Key": simulator.api_key}, timeout=5
    ) as client:
        yield client


@pytest.fixture
def linked(simulator, sim_api):
    """The `default` session scanned on the simulator, and its instance WORKING, with no pace
    or per-minute cap of its own (the number's cap applies to batches too)."""
    assert sim_api.post("/api/sessions", json={"name": "default"}).status_code == 201
    sim_api.get("/api/sessions/default")
    sim_api.post("/simulator/sessions/default/scan", json={"phone": "+15550001234"})
    instance = InstanceFactory(
        name="Shop",
        base_url=simulator.url,
        session_name="default",
        api_key=SIMULATOR_TEST_API_KEY,
        status=InstanceStatus.WORKING,
    )
    QueueSettings.objects.create(
        instance=instance, min_delay_seconds=0, max_delay_seconds=0, per_minute_cap=600
    )
    return instance


def test_a_bulk_send_reaches_100_numbers_with_their_variables_at_a_random_pace(
    call, make_key, linked, sim_api
):
    token = make_key()
    body = {
        "profileId": str(linked.uuid),
        "messages": [
            {
                "chatId": phone,
                "type": "text",
                "content": {"text": "Hi {name}, your code is {code}"},
                "variables": {"name": name, "code": code},
            }
            for phone, name, code in PEOPLE
        ],
        "options": {"delayBetweenMessages": 2000, "randomizeDelay": True},
    }
    sent = call("post", "bulk/send", token=token, json=body)
    assert sent.status_code == 201, sent.content[:500]
    batch_id = sent.json()["data"]["id"]
    campaign = ApiBatch.objects.get(uuid=batch_id).campaign

    # The feeder's clock starts an hour back, so every slot it hands out is already due and the
    # dispatcher sends at once; the slots themselves keep the batch's random spacing.
    clock = timezone.now() - timedelta(hours=1)
    for _ in range(5):
        feed_campaign(campaign.pk, now=clock, rng=random.Random(7))
        while send_next(linked.pk, rng=random.Random(3), burst_seconds=0) is not None:
            pass
        batch = call("get", f"bulk/batch/{batch_id}", token=token).json()["data"]
        if batch["status"] == "finished":
            break
        clock += FEED_HORIZON

    assert batch["status"] == "finished"
    assert batch["progress"] == 100
    counts = batch["counts"]
    assert (counts["total"], counts["sent"], counts["pending"], counts["failed"]) == (
        100,
        100,
        0,
        0,
    )

    records = sim_api.get("/simulator/sessions/default/messages").json()
    outgoing = {
        record["request"]["chatId"]: record["request"]["text"]
        for record in records
        if record["direction"] == "outgoing"
    }
    assert outgoing == {
        f"{phone[1:]}@c.us": f"Hi {name}, your code is {code}" for phone, name, code in PEOPLE
    }

    slots = sorted(OutboundMessage.objects.values_list("send_at", flat=True))[:50]
    gaps = [(later - earlier).total_seconds() for earlier, later in pairwise(slots)]
    assert all(1 <= gap <= 3 for gap in gaps), gaps
    assert len({round(gap, 3) for gap in gaps}) > 10

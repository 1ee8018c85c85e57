"""An integrator's first hour, on the simulator over real HTTP: a key made on the API keys page,
a profile created and connected through the API, its QR scanned, then one message of each kind
sent through the API and the real queue, and each one's status read back."""

from __future__ import annotations

import random

import httpx
import pytest
from django.urls import reverse

from instances.models import Instance, QueueSettings
from instances.outbound.dispatcher import send_next
from instances.services import poll_status
from tests.api.test_send_each_kind import CASES
from tests.simulator_fixture import SIMULATOR_TEST_API_KEY

pytestmark = pytest.mark.django_db

TO = "+4915123456789"


def test_a_key_connects_a_profile_and_sends_every_kind(client_for, admin, call, simulator):
    page = client_for(admin).post(reverse("api_keys:create"), {"name": "Shop", "role": "admin"})
    token = page.context["token"]

    created = call(
        "post",
        "profiles",
        token=token,
        json={
            "name": "Shop line",
            "engine": "waha",
            "baseUrl": simulator.url,
            "sessionName": "shop",
            "apiKey": SIMULATOR_TEST_API_KEY,
        },
    )
    assert created.status_code == 201, created.content
    profile = created.json()["data"]["id"]
    assert call("post", f"profiles/{profile}/connect", token=token).status_code == 200
    qr = call("get", f"profiles/{profile}/qr", token=token).json()["data"]
    assert qr["image"].startswith("data:image/png;base64,")
    httpx.post(
        f"{simulator.url}/simulator/sessions/shop/scan",
        headers={"X-Api-Key": simulator.api_key},
        json={},
    ).raise_for_status()
    instance = Instance.objects.get(uuid=profile)
    poll_status(instance)
    assert call("get", f"profiles/{profile}", token=token).json()["data"]["status"] == "WORKING"
    QueueSettings.objects.create(instance=instance, min_delay_seconds=0, max_delay_seconds=0)

    queued = {}
    for path, content, kind, _payload in CASES:
        body = {"profileId": profile, "chatId": TO, "content": content}
        answer = call("post", f"messages/{path}", token=token, json=body)
        if kind == "list":
            assert answer.status_code == 422
            assert answer.json()["error"]["message"] == (
                "type: WAHA (self-hosted) cannot send list messages."
            )
            continue
        assert answer.status_code == 201, (path, answer.content)
        queued[kind] = answer.json()["data"]["id"]
    while send_next(instance.pk, rng=random.Random(5), burst_seconds=0) is not None:
        pass

    assert len(simulator.state.sent("shop")) == len(queued)
    for kind, message_id in queued.items():
        data = call("get", f"messages/{message_id}", token=token).json()["data"]
        assert data["type"] == kind
        assert data["status"] in {"sent", "delivered", "read"}, (kind, data["error"])
        assert data["providerMessageId"]

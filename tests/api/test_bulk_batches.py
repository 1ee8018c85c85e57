"""Batches are read, listed and cancelled through the API like campaigns on their page."""

from __future__ import annotations

import pytest

from api.models import ApiBatch
from campaigns import services
from campaigns.counters import recount
from campaigns.models import Campaign, CampaignStatus, RecipientStatus
from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db


def send(call, token: str, profile, *phones: str, name: str | None = None) -> str:
    messages = [
        {"chatId": phone, "type": "text", "content": {"text": "Hi {name}"}, "variables": {}}
        for phone in phones or ("+4915123456789",)
    ]
    options = {"name": name} if name else {}
    body = {"profileId": str(profile.uuid), "messages": messages, "options": options}
    response = call("post", "bulk/send", token=token, json=body)
    assert response.status_code == 201, response.content
    return response.json()["data"]["id"]


def error_code(response, status: int) -> str:
    assert response.status_code == status, response.content[:300]
    return response.json()["error"]["code"]


def test_a_batch_shows_its_counts(call, make_key, sales):
    batch_id = send(call, make_key(), sales, "+4915123456789", "+4915123456780")
    campaign = ApiBatch.objects.get(uuid=batch_id).campaign
    campaign.recipients.filter(phone="+4915123456780").update(status=RecipientStatus.FAILED)
    recount(campaign.pk)  # what the watchdog does for a change made behind the counters' back

    response = call("get", f"bulk/batch/{batch_id}", token=make_key("read_only"))

    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["id"] == batch_id
    assert data["status"] == "running"
    assert data["counts"] | {"pending": 1, "failed": 1, "total": 2} == data["counts"]
    assert data["progress"] == 50


def test_batches_are_listed_newest_first_a_page_at_a_time(
    call, make_key, sales, django_assert_max_num_queries
):
    token = make_key()
    for n in range(3):
        send(call, token, sales, name=f"Batch {n}")
    call("get", "bulk/batches", token=token)  # the key's first use is recorded once
    # Key, its instances, the rate counter in the database cache, then count, page, numbers,
    # recipients and messages in flight: the same whatever the number of batches.
    with django_assert_max_num_queries(20):
        response = call("get", "bulk/batches?page=1&limit=2", token=token)
    body = response.json()
    assert [batch["name"] for batch in body["data"]] == ["Batch 2", "Batch 1"]
    assert body["data"][0]["total"] == 1
    assert body["meta"] | {"timestamp": None} == {
        "timestamp": None,
        "page": 1,
        "limit": 2,
        "total": 3,
        "totalPages": 2,
    }


def test_campaigns_made_in_the_dashboard_are_not_batches(call, make_key, sales):
    services.save_campaign(Campaign(name="Spring sale"), ["Hello {name}"], [sales])
    assert call("get", "bulk/batches", token=make_key()).json()["data"] == []


def test_a_restricted_key_sees_only_the_batches_of_its_profiles(call, make_key, sales):
    support = InstanceFactory(name="Support")
    on_sales = send(call, make_key(), sales, name="Sales batch")
    send(call, make_key(), support, name="Support batch")
    token = make_key(instances=[support])
    names = [batch["name"] for batch in call("get", "bulk/batches", token=token).json()["data"]]
    assert names == ["Support batch"]
    assert error_code(call("get", f"bulk/batch/{on_sales}", token=token), 404) == "NOT_FOUND"


@pytest.mark.parametrize("batch_id", ["1", "00000000-0000-0000-0000-000000000000", "x" * 500])
def test_an_unknown_batch_is_not_found(call, make_key, batch_id):
    assert error_code(call("get", f"bulk/batch/{batch_id}", token=make_key()), 404) == "NOT_FOUND"


def test_a_cancelled_batch_sends_nothing_more(call, make_key, sales):
    token = make_key()
    batch_id = send(call, token, sales, "+4915123456789", "+4915123456780")

    response = call("post", f"bulk/batch/{batch_id}/cancel", token=token)

    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["status"] == "cancelled"
    assert (data["counts"]["pending"], data["counts"]["cancelled"], data["progress"]) == (0, 2, 100)
    assert ApiBatch.objects.get().campaign.status == CampaignStatus.CANCELLED


def test_a_finished_batch_cannot_be_cancelled(call, make_key, sales):
    token = make_key()
    batch_id = send(call, token, sales)
    services.finish_campaign(ApiBatch.objects.get().campaign)

    response = call("post", f"bulk/batch/{batch_id}/cancel", token=token)

    assert error_code(response, 409) == "CONFLICT"
    assert response.json()["error"]["message"] == "A finished campaign cannot be cancelled."
    assert ApiBatch.objects.get().campaign.status == CampaignStatus.FINISHED


def test_a_read_only_key_reads_batches_but_cannot_cancel_them(call, make_key, sales):
    batch_id = send(call, make_key(), sales)
    token = make_key("read_only")
    assert call("get", "bulk/batches", token=token).status_code == 200
    assert error_code(call("post", f"bulk/batch/{batch_id}/cancel", token=token), 403) == (
        "FORBIDDEN"
    )
    assert ApiBatch.objects.get().campaign.status == CampaignStatus.RUNNING


def test_a_wrong_method_on_a_batch_is_refused_with_the_envelope(call, make_key, sales):
    batch_id = send(call, make_key(), sales)
    assert error_code(call("delete", f"bulk/batch/{batch_id}", token=make_key()), 405) == (
        "NOT_FOUND"
    )

"""`POST /bulk/send` makes a started campaign with a recipient per message, or refuses the
request naming the message and field at fault."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import ApiBatch
from campaigns.models import Campaign, CampaignStatus
from tests.factories import ContactFactory, InstanceFactory

pytestmark = pytest.mark.django_db


def text(chat_id: str, name: str = "John", **variables) -> dict:
    return {
        "chatId": chat_id,
        "type": "text",
        "content": {"text": "Hello {name}!"},
        "variables": {"name": name, **variables},
    }


def seed_example(profile) -> dict:
    """Seed 002's example, on our profile."""
    return {
        "profileId": str(profile.uuid),
        "messages": [text("628123456789@c.us", "John"), text("628987654321@c.us", "Jane")],
        "options": {"delayBetweenMessages": 5000, "randomizeDelay": True},
    }


def refusal(response, status: int = 422) -> dict:
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert body["success"] is False
    return body["error"]


def test_the_seed_example_makes_a_running_campaign_with_a_recipient_per_message(
    call, make_key, sales
):
    response = call("post", "bulk/send", token=make_key(), json=seed_example(sales))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["success"] is True
    assert body["meta"]["skipped"] == 0
    data = body["data"]
    assert data["status"] == "running"
    assert data["profileId"] == str(sales.uuid)
    assert data["counts"]["total"] == data["counts"]["pending"] == 2
    campaign = ApiBatch.objects.get(uuid=data["id"]).campaign
    assert data["name"] == campaign.name and campaign.name.startswith("API batch ")
    assert campaign.status == CampaignStatus.RUNNING
    assert campaign.texts == ["Hello {name}!"]
    assert list(campaign.instances.all()) == [sales]
    recipients = campaign.recipients.order_by("id").values_list("phone", "name", "vars")
    assert list(recipients) == [
        ("+628123456789", "John", {"name": "John"}),
        ("+628987654321", "Jane", {"name": "Jane"}),
    ]


def test_a_randomised_delay_becomes_a_range_from_half_to_one_and_a_half_times(
    call, make_key, sales
):
    call("post", "bulk/send", token=make_key(), json=seed_example(sales))
    campaign = Campaign.objects.get()
    assert (campaign.wait_between_messages_from, campaign.wait_between_messages_to) == (2, 8)
    assert (campaign.sleep_after_from, campaign.sleep_after_to) == (0, 0)


def test_a_fixed_delay_is_the_same_between_every_two_messages(call, make_key, sales):
    body = seed_example(sales) | {
        "options": {"delayBetweenMessages": 3000, "randomizeDelay": False, "name": "Reminders"}
    }
    call("post", "bulk/send", token=make_key(), json=body)
    campaign = Campaign.objects.get()
    assert campaign.name == "Reminders"
    assert (campaign.wait_between_messages_from, campaign.wait_between_messages_to) == (3, 3)


def test_the_key_is_recorded_as_the_batchs_origin_and_shown_on_the_campaign(
    call, make_key, sales, client_for, operator
):
    token = make_key()
    call("post", "bulk/send", token=token, json=seed_example(sales))
    batch = ApiBatch.objects.get()
    assert batch.key.prefix == token[:12]

    page = client_for(operator).get(reverse("campaigns:detail", args=[batch.campaign_id]))
    assert f"with the key Test key: batch <code>{batch.uuid}</code>" in page.content.decode()


def test_a_bearer_token_sends_a_batch_too(client, make_key, sales):
    response = client.post(
        "/api/bulk/send",
        seed_example(sales),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {make_key()}",
    )
    assert response.status_code == 201, response.content
    assert Campaign.objects.count() == 1


def test_a_media_batch_sends_its_caption_as_the_template(call, make_key, sales):
    image = {
        "chatId": "+4915123456789",
        "type": "image",
        "content": {"url": "https://example.com/menu.jpg", "caption": "For you, {name}"},
        "variables": {"name": "Ada"},
    }
    body = {"profileId": str(sales.uuid), "messages": [image]}
    assert call("post", "bulk/send", token=make_key(), json=body).status_code == 201
    campaign = Campaign.objects.get()
    assert (campaign.media_kind, campaign.media_url) == ("image", "https://example.com/menu.jpg")
    assert campaign.texts == ["For you, {name}"]


def test_a_later_send_at_schedules_the_batch(call, make_key, sales):
    at = timezone.now() + timedelta(days=1)
    body = seed_example(sales)
    body["options"]["sendAt"] = at.isoformat()
    data = call("post", "bulk/send", token=make_key(), json=body).json()["data"]
    assert data["status"] == "scheduled"
    assert Campaign.objects.get().scheduled_at == at


def test_a_send_at_without_a_zone_is_refused(call, make_key, sales):
    body = seed_example(sales)
    body["options"]["sendAt"] = "2030-01-01T09:00:00"
    error = refusal(call("post", "bulk/send", token=make_key(), json=body))
    assert list(error["details"]) == ["options.sendAt"]
    assert not Campaign.objects.exists()


def test_opted_out_contacts_are_left_out_and_counted(call, make_key, sales):
    ContactFactory(phone="+628987654321", opted_out=True)
    body = call("post", "bulk/send", token=make_key(), json=seed_example(sales)).json()
    assert body["meta"]["skipped"] == 1
    assert list(Campaign.objects.get().recipients.values_list("phone", flat=True)) == [
        "+628123456789"
    ]


def test_a_batch_of_only_opted_out_contacts_is_refused_and_not_kept(call, make_key, sales):
    ContactFactory(phone="+628123456789", opted_out=True)
    ContactFactory(phone="+628987654321", opted_out=True)
    error = refusal(call("post", "bulk/send", token=make_key(), json=seed_example(sales)))
    assert "opted out" in error["message"]
    assert not Campaign.objects.exists()
    assert not ApiBatch.objects.exists()


def test_a_bad_number_is_named_with_its_index(call, make_key, sales):
    body = seed_example(sales)
    body["messages"] += [text("+4915123456780"), text("12"), text("4915123456781@g.us")]
    error = refusal(call("post", "bulk/send", token=make_key(), json=body))
    assert error["code"] == "VALIDATION_ERROR"
    assert error["message"].startswith("messages.3.chatId: ")
    assert set(error["details"]) == {"messages.3.chatId", "messages.4.chatId"}
    assert "groups" in error["details"]["messages.4.chatId"][0]
    assert not Campaign.objects.exists()


def test_a_number_given_twice_is_refused(call, make_key, sales):
    body = seed_example(sales)
    body["messages"].append(text("+628123456789", "John again"))
    error = refusal(call("post", "bulk/send", token=make_key(), json=body))
    assert error["details"] == {
        "messages.2.chatId": [
            "+628123456789 is messages.0 already; a batch messages a number once."
        ]
    }


def test_a_message_missing_a_variable_the_template_uses_is_refused(call, make_key, sales):
    body = seed_example(sales)
    body["messages"][1]["variables"] = {}
    body["messages"][0]["content"]["text"] = body["messages"][1]["content"]["text"] = "Code {code}"
    body["messages"][0]["variables"] = {"code": "A1"}
    error = refusal(call("post", "bulk/send", token=make_key(), json=body))
    assert error["details"] == {"messages.1.variables": ["No value for {code}."]}


def test_messages_with_different_content_are_refused_with_the_reason(call, make_key, sales):
    body = seed_example(sales)
    body["messages"][1]["content"] = {"text": "Bye {name}"}
    error = refusal(call("post", "bulk/send", token=make_key(), json=body))
    assert list(error["details"]) == ["messages.1.content"]
    assert "put what differs in variables" in error["message"]


def test_a_bad_variable_name_is_named_by_its_path(call, make_key, sales):
    body = seed_example(sales)
    body["messages"][1]["variables"] = {"not a name": "x"}
    error = refusal(call("post", "bulk/send", token=make_key(), json=body))
    assert any(field.startswith("messages.1.variables") for field in error["details"])


def test_a_media_address_that_is_not_http_is_refused(call, make_key, sales):
    image = {
        "chatId": "+4915123456789",
        "type": "document",
        "content": {"url": "file:///etc/passwd", "caption": "Terms"},
    }
    body = {"profileId": str(sales.uuid), "messages": [image]}
    error = refusal(call("post", "bulk/send", token=make_key(), json=body))
    assert list(error["details"]) == ["messages.0.content.url"]


def test_more_than_ten_thousand_messages_are_refused(call, make_key, sales):
    body = seed_example(sales)
    body["messages"] = [text(f"+49151{n:08d}") for n in range(10_001)]
    error = refusal(call("post", "bulk/send", token=make_key(), json=body))
    assert "messages" in error["details"]
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    "options",
    [{"delayBetweenMessages": -1}, {"delayBetweenMessages": 10**12}, {"priority": 5}],
)
def test_options_out_of_bounds_are_refused(call, make_key, sales, options):
    body = seed_example(sales) | {"options": options}
    error = refusal(call("post", "bulk/send", token=make_key(), json=body))
    assert all(field.startswith("options.") for field in error["details"])


def test_a_read_only_key_cannot_send_a_batch(call, make_key, sales):
    error = refusal(
        call("post", "bulk/send", token=make_key("read_only"), json=seed_example(sales)), 403
    )
    assert error["code"] == "FORBIDDEN"
    assert not Campaign.objects.exists()


def test_a_restricted_key_cannot_send_from_another_profile(call, make_key, sales):
    token = make_key(instances=[InstanceFactory(name="Support")])
    error = refusal(call("post", "bulk/send", token=token, json=seed_example(sales)), 404)
    assert error["code"] == "NOT_FOUND"
    assert not Campaign.objects.exists()


def test_no_key_is_unauthorized(call, sales):
    assert refusal(call("post", "bulk/send", json=seed_example(sales)), 401)["code"] == (
        "UNAUTHORIZED"
    )

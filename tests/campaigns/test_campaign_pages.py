"""The campaign list and page: live statistics, actions with confirmation, export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_q.models import OrmQ

from campaigns.audience import Row
from campaigns.counters import recount
from campaigns.feeder import feed_campaign
from campaigns.models import Campaign, CampaignStatus
from campaigns.services import record_reply
from instances.engines.base import Ack
from instances.models import OutboundMessage
from instances.models import OutboundStatus as S
from instances.outbound.status import apply_ack, wire_id


def wire_ack_id(message) -> str:
    """The id WAHA's acks carry for a message Switchboard sent (docs/gateways.md)."""
    return f"true_{message.chat_id}_{wire_id(message)}"


pytestmark = pytest.mark.django_db


def text(response) -> str:
    return " ".join(response.content.decode().split())


def test_the_list_costs_the_same_queries_for_many_campaigns(
    client_for, operator, make_campaign, number, django_assert_max_num_queries
):
    client = client_for(operator)
    make_campaign(2, status=CampaignStatus.RUNNING)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("campaigns:list"))
    for n in range(6):
        campaign = make_campaign(
            3, name=f"Campaign {n}", numbers=[number(), number()], status=CampaignStatus.RUNNING
        )
        feed_campaign(campaign.pk)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("campaigns:list"))

    assert text(response).count("Running") >= 7


def test_the_list_shows_progress_and_numbers(client_for, operator, make_campaign, number):
    campaign = make_campaign(4, numbers=[number("Sales")], status=CampaignStatus.RUNNING)
    feed_campaign(campaign.pk)
    message = OutboundMessage.objects.first()
    apply_ack(message.instance, wire_ack_id(message), Ack.SERVER)

    page = text(client_for(operator).get(reverse("campaigns:list")))

    assert 'value="25"' in page and "Sales" in page and "Running" in page


def test_the_campaign_page_counts_what_happened(client_for, operator, make_campaign):
    campaign = make_campaign(4, status=CampaignStatus.RUNNING)
    campaign.started_at = timezone.now()
    campaign.save()
    feed_campaign(campaign.pk)
    OutboundMessage.objects.update(sent_at=timezone.now() - timedelta(seconds=5))
    messages = list(OutboundMessage.objects.order_by("id"))
    apply_ack(messages[0].instance, wire_ack_id(messages[0]), Ack.READ)
    apply_ack(messages[1].instance, wire_ack_id(messages[1]), Ack.DEVICE)
    # No signal reports this one (a bulk change): the watchdog's recount finds it.
    OutboundMessage.objects.filter(pk=messages[2].pk).update(status=S.FAILED)
    recount(campaign.pk)
    record_reply(messages[0].chat_id, timezone.now())

    page = text(client_for(operator).get(campaign.get_absolute_url()))

    assert '<strong data-count="sent">2</strong>' in page
    assert '<strong data-count="read">1</strong> (50%)' in page
    assert '<strong data-count="replied">1</strong>' in page
    assert '<strong data-count="failed">1</strong>' in page
    assert '<strong data-count="queued">1</strong>' in page
    assert 'class="bar-read"' in page  # the chart
    assert "Send to the 1 failed again" in page


def live_url(page: str) -> str:
    return (
        page.split('id="campaign-stats" class="campaign-stats"')[1]
        .split('hx-get="')[1]
        .split('"')[0]
        .replace("&amp;", "&")
    )


def test_a_poll_with_the_current_cursor_gets_204_and_a_change_gets_both_regions(
    client_for, operator, make_campaign
):
    campaign = make_campaign(2, status=CampaignStatus.RUNNING)
    client = client_for(operator)
    poll = live_url(client.get(campaign.get_absolute_url()).content.decode())

    unchanged = client.get(poll, headers={"HX-Request": "true"})
    feed_campaign(campaign.pk)
    changed = client.get(poll, headers={"HX-Request": "true"})

    assert unchanged.status_code == 204
    assert changed.status_code == 200
    region = text(changed)
    assert "<html" not in region
    assert '<strong data-count="queued">2</strong>' in region
    assert 'id="campaign-recipients" hx-swap-oob="true"' in region
    assert region.count("outbound-queued") == 2


def test_a_finished_campaign_stops_the_polling(client_for, operator, make_campaign):
    campaign = make_campaign(2, status=CampaignStatus.RUNNING)
    client = client_for(operator)
    poll = live_url(client.get(campaign.get_absolute_url()).content.decode())
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.FINISHED)

    response = client.get(poll, headers={"HX-Request": "true"})

    assert response.status_code == 286
    assert "Finished" in text(response)


def test_starting_from_the_page_queues_the_first_messages_at_once(
    client_for, operator, make_campaign, django_capture_on_commit_callbacks
):
    campaign = make_campaign(2)
    tasks_before = OrmQ.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(operator).post(
            reverse("campaigns:action", args=[campaign.pk, "start"])
        )

    campaign.refresh_from_db()
    assert response.status_code == 302 and campaign.status == CampaignStatus.RUNNING
    # Without waiting for a worker; a feed task then carries on with the rest.
    assert OutboundMessage.objects.count() == 2
    assert OrmQ.objects.count() > tasks_before


def test_a_refused_action_says_why(client_for, operator, make_campaign):
    campaign = make_campaign(2)

    response = client_for(operator).post(
        reverse("campaigns:action", args=[campaign.pk, "pause"]), follow=True
    )

    assert "A draft campaign cannot be paused." in text(response)


def test_deleting_a_draft_asks_first(client_for, operator, make_campaign):
    campaign = make_campaign(2)
    client = client_for(operator)
    url = reverse("campaigns:action", args=[campaign.pk, "delete"])

    confirm = client.get(url)
    assert "This cannot be undone" in text(confirm) and Campaign.objects.exists()

    client.post(url)
    assert not Campaign.objects.exists()


def test_copying_opens_the_new_draft(client_for, operator, make_campaign):
    campaign = make_campaign(2, status=CampaignStatus.FINISHED)

    response = client_for(operator).post(reverse("campaigns:action", args=[campaign.pk, "copy"]))

    copy = Campaign.objects.exclude(pk=campaign.pk).get()
    assert response["Location"] == copy.get_absolute_url()
    assert copy.recipients.count() == 2


def test_scheduling_in_the_past_is_a_form_error(client_for, operator, make_campaign):
    campaign = make_campaign(2)
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")

    response = client_for(operator).post(
        reverse("campaigns:schedule", args=[campaign.pk]), {"at": past}
    )

    assert response.status_code == 200 and "Choose a time in the future" in text(response)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_scheduling_in_the_future_schedules(client_for, operator, make_campaign):
    campaign = make_campaign(2)
    later = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    client_for(operator).post(reverse("campaigns:schedule", args=[campaign.pk]), {"at": later})

    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SCHEDULED and campaign.scheduled_at


def test_the_recipients_export_neutralises_formulas(client_for, operator, make_campaign):
    campaign = make_campaign([Row("+4930901820", "=HYPERLINK(1)", {"code": "@x"})])

    response = client_for(operator).get(reverse("campaigns:recipients_export", args=[campaign.pk]))

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["phone", "name", "status"]
    assert rows[1][0] == "'+4930901820"
    assert rows[1][1] == "'=HYPERLINK(1)"


def test_recipients_can_be_filtered_by_status(client_for, operator, make_campaign):
    campaign = make_campaign(3, status=CampaignStatus.RUNNING)
    feed_campaign(campaign.pk)
    OutboundMessage.objects.filter(pk=OutboundMessage.objects.first().pk).update(status=S.FAILED)

    page = text(client_for(operator).get(campaign.get_absolute_url() + "?show=failed"))

    assert page.count("+4915123456") == 1


def test_the_campaign_page_costs_the_same_queries_for_many_recipients(
    client_for, operator, make_campaign, django_assert_max_num_queries
):
    client = client_for(operator)
    small = make_campaign(2, status=CampaignStatus.RUNNING)
    feed_campaign(small.pk)
    large = make_campaign(80, name="Large", status=CampaignStatus.RUNNING)
    feed_campaign(large.pk)

    with django_assert_max_num_queries(20) as small_queries:
        client.get(small.get_absolute_url())
    with django_assert_max_num_queries(len(small_queries.captured_queries)):
        client.get(large.get_absolute_url())


def test_wrong_methods_are_refused(client_for, operator, make_campaign):
    campaign = make_campaign(2)
    client = client_for(operator)

    assert client.get(reverse("campaigns:preview")).status_code == 405
    assert client.post(campaign.get_absolute_url()).status_code == 405
    assert client.put(reverse("campaigns:action", args=[campaign.pk, "start"])).status_code == 405


def test_bad_input_gets_a_reason_not_an_error(client_for, operator, make_campaign):
    campaign = make_campaign(2)
    client = client_for(operator)

    unknown = client.post(reverse("campaigns:action", args=[campaign.pk, "explode"]))
    nothing_ticked = client.post(
        reverse("campaigns:recipients_remove", args=[campaign.pk]),
        {"ids": ["x", "1; drop"]},
        follow=True,
    )
    odd_page = client.get(campaign.get_absolute_url() + "?page=zz&show=<script>")

    assert unknown.status_code == 302
    assert "Tick the recipients to remove first" in text(nothing_ticked)
    assert campaign.recipients.count() == 2
    assert odd_page.status_code == 200 and "<script>" not in odd_page.content.decode()

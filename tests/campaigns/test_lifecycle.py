"""Every campaign action from every state: done where the lifecycle allows it, refused with a
reason everywhere else, and the campaign left as it was."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns import services
from campaigns.audience import Row, add_rows
from campaigns.feeder import feed_campaign
from campaigns.models import Campaign, CampaignStatus, RecipientStatus
from instances.models import OutboundStatus
from instances.services import delete_instance

pytestmark = pytest.mark.django_db

C = CampaignStatus
LATER = timedelta(hours=2)

ACTIONS = {
    "start": (lambda c: services.start_campaign(c), {C.DRAFT: C.RUNNING, C.SCHEDULED: C.RUNNING}),
    "schedule": (
        lambda c: services.schedule_campaign(c, timezone.now() + LATER),
        {C.DRAFT: C.SCHEDULED},
    ),
    "unschedule": (services.unschedule_campaign, {C.SCHEDULED: C.DRAFT}),
    "pause": (services.pause_campaign, {C.RUNNING: C.PAUSED}),
    "resume": (services.resume_campaign, {C.PAUSED: C.RUNNING}),
    "finish": (
        lambda c: services.finish_campaign(c),
        {C.RUNNING: C.FINISHED, C.PAUSED: C.FINISHED},
    ),
    "cancel": (
        lambda c: services.cancel_campaign(c),
        {C.SCHEDULED: C.CANCELLED, C.RUNNING: C.CANCELLED, C.PAUSED: C.CANCELLED},
    ),
    "reset failed": (
        services.reset_failed,
        {C.RUNNING: C.RUNNING, C.PAUSED: C.PAUSED, C.FINISHED: C.PAUSED},
    ),
    "add recipients": (
        lambda c: services.add_recipients(c, lambda d: add_rows(d, [Row("+4930901820")])),
        {C.DRAFT: C.DRAFT},
    ),
    "remove recipients": (lambda c: services.remove_recipients(c), {C.DRAFT: C.DRAFT}),
    "edit": (lambda c: services.save_campaign(c, ["New words"], []), {C.DRAFT: C.DRAFT}),
    "delete": (services.delete_campaign, {C.DRAFT: None}),
}

CASES = [(action, state) for action in ACTIONS for state in C.values]


@pytest.mark.parametrize(("action", "state"), CASES, ids=[f"{a} from {s}" for a, s in CASES])
def test_each_action_from_each_state(
    make_campaign, action, state, django_capture_on_commit_callbacks
):
    campaign = make_campaign(2, status=state)
    # One failed recipient, so that "reset failed" has something to do where it is allowed.
    campaign.recipients.filter(pk=campaign.recipients.first().pk).update(
        status=RecipientStatus.FAILED, error="refused"
    )
    service, allowed = ACTIONS[action]

    if state in allowed:
        with django_capture_on_commit_callbacks():
            service(campaign)
        after = Campaign.objects.filter(pk=campaign.pk).values_list("status", flat=True).first()
        assert after == allowed[state]
    else:
        with pytest.raises(services.CampaignActionRefused) as refused:
            service(campaign)
        assert str(refused.value)
        campaign.refresh_from_db()
        assert campaign.status == state


def test_the_refusal_names_the_state(make_campaign):
    campaign = make_campaign(status=C.FINISHED)

    with pytest.raises(
        services.CampaignActionRefused, match="A finished campaign cannot be paused"
    ):
        services.pause_campaign(campaign)


def test_scheduling_in_the_past_is_refused(make_campaign):
    campaign = make_campaign()

    with pytest.raises(services.CampaignActionRefused, match="future"):
        services.schedule_campaign(campaign, timezone.now() - timedelta(minutes=1))

    campaign.refresh_from_db()
    assert campaign.status == C.DRAFT


def test_a_campaign_without_recipients_cannot_start(make_campaign):
    campaign = make_campaign(0)

    with pytest.raises(services.CampaignActionRefused, match="Add recipients first"):
        services.start_campaign(campaign)


def test_a_campaign_without_numbers_cannot_start(make_campaign):
    campaign = make_campaign(numbers=[])

    with pytest.raises(services.CampaignActionRefused, match="at least one number"):
        services.start_campaign(campaign)


def test_a_scheduled_campaign_starts_when_its_time_comes(make_campaign):
    campaign = make_campaign()
    services.schedule_campaign(campaign, timezone.now() + LATER)

    assert services.start_due_campaigns(timezone.now()) == 0
    assert services.start_due_campaigns(timezone.now() + LATER) == 1

    campaign.refresh_from_db()
    assert campaign.status == C.RUNNING and campaign.started_at is not None


def test_a_copy_is_a_draft_with_the_same_settings_and_recipients(make_campaign, number):
    first, second = number("A"), number("B")
    campaign = make_campaign(
        [Row("+4930901820", "Ana", {"code": "X1"})],
        texts=["Hi {name}", "Hello {name}"],
        numbers=[first, second],
        status=C.FINISHED,
        wait_between_messages_from=7,
    )
    campaign.recipients.update(status=RecipientStatus.FAILED)

    copy = services.copy_campaign(campaign)

    assert copy.pk != campaign.pk and copy.status == C.DRAFT
    assert copy.texts == ["Hi {name}", "Hello {name}"]
    assert copy.wait_between_messages_from == 7
    assert list(copy.instances.order_by("name")) == [first, second]
    (recipient,) = copy.recipients.all()
    assert (recipient.phone, recipient.name, recipient.vars) == (
        "+4930901820",
        "Ana",
        {"code": "X1"},
    )
    assert recipient.status == RecipientStatus.PENDING


def test_reset_failed_puts_failed_messages_back_in_line(make_campaign):
    campaign = make_campaign(2, status=C.RUNNING)
    feed_campaign(campaign.pk)
    failed = campaign.recipients.first()
    failed.message.status = OutboundStatus.FAILED
    failed.message.save()

    assert services.reset_failed(campaign) == 1

    failed.refresh_from_db()
    assert failed.status == RecipientStatus.PENDING and failed.message is None


def test_reset_failed_with_nothing_failed_is_refused(make_campaign):
    campaign = make_campaign(2, status=C.RUNNING)

    with pytest.raises(services.CampaignActionRefused, match="No recipient"):
        services.reset_failed(campaign)


def test_deleting_a_number_takes_it_out_of_draft_campaigns(make_campaign, number):
    kept, gone = number("A"), number("B")
    campaign = make_campaign(numbers=[kept, gone])

    delete_instance(gone, keep_engine_session=True)

    assert list(campaign.instances.all()) == [kept]

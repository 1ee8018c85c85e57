"""Campaign actions. Each one checks the campaign's state under its row lock and refuses, with
the reason, when the state does not allow it (the lifecycle is in docs/architecture.md,
"Campaigns")."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_q.tasks import async_task

from campaigns import counters, feeder
from campaigns.audience import BATCH
from campaigns.models import (
    Campaign,
    CampaignInstance,
    CampaignRecipient,
    CampaignStatus,
    CampaignVariant,
    RecipientStatus,
)
from campaigns.signals import campaign_finished
from instances.models import Instance, OutboundMessage, OutboundStatus

C = CampaignStatus
ACTIVE = (C.RUNNING, C.PAUSED)
RESET_REASON = "Failed recipients were put back in the queue; resume to send them."


class CampaignActionRefused(Exception):
    """The campaign's state does not allow the action; the message says why."""


def _locked(campaign: Campaign, allowed: Iterable[str], what: str) -> Campaign:
    """The campaign's row, locked for the transaction, if its state allows `what`."""
    current = Campaign.objects.locked().get(pk=campaign.pk)
    if current.status not in allowed:
        raise CampaignActionRefused(
            f"A {current.get_status_display().lower()} campaign cannot be {what}."
        )
    return current


def _save(campaign: Campaign, **fields) -> None:
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign.save(update_fields=[*fields, "updated_at"])


def _feed_after_commit(campaign: Campaign) -> None:
    """After commit, queue a first message per number right here, so sending starts without
    waiting for a worker to pick a task up, then leave the rest to a feed task."""
    campaign_id = campaign.pk

    def feed() -> None:
        feeder.feed_campaign(campaign_id, batch=feeder.FIRST_BATCH)
        async_task("campaigns.tasks.feed_campaign", campaign_id, group=f"campaign-{campaign_id}")

    # robust: a failure is logged, and the minute schedule feeds the campaign anyway.
    transaction.on_commit(feed, robust=True)


def save_campaign(campaign: Campaign, texts: list[str], instances: Iterable[Instance]) -> Campaign:
    """Store a new campaign or a draft's changes with its variants and numbers."""
    with transaction.atomic():
        if campaign.pk is not None:
            _locked(campaign, (C.DRAFT,), "edited")
        # A new campaign's counters start right, at zero: nothing to recount.
        campaign.counted_at = campaign.counted_at or timezone.now()
        campaign.save()
        campaign.variants.all().delete()
        CampaignVariant.objects.bulk_create(
            CampaignVariant(campaign=campaign, position=i, text=text)
            for i, text in enumerate(texts)
        )
        chosen = list(instances)
        campaign.lanes.exclude(instance__in=chosen).delete()
        for instance in chosen:
            CampaignInstance.objects.get_or_create(campaign=campaign, instance=instance)
        campaign.counts.exclude(instance=None).exclude(instance__in=chosen).delete()
        counters.ensure_rows(campaign.pk, [instance.pk for instance in chosen])
    return campaign


def why_not_ready(campaign: Campaign) -> str:
    """Why the campaign cannot start yet, or an empty string."""
    if not campaign.variants.exists():
        return "Write its message first."
    if not campaign.lanes.exists():
        return "Choose at least one number to send from."
    if not campaign.recipients.filter(status=RecipientStatus.PENDING).exists():
        return "Add recipients first."
    return ""


def start_campaign(campaign: Campaign, *, now: datetime | None = None) -> None:
    """Start now, from a draft or a scheduled campaign."""
    now = now or timezone.now()
    with transaction.atomic():
        current = _locked(campaign, (C.DRAFT, C.SCHEDULED), "started")
        _refuse_unless_ready(current)
        _save(current, status=C.RUNNING, started_at=now, scheduled_at=None, pause_reason="")
        _feed_after_commit(current)


def _refuse_unless_ready(campaign: Campaign) -> None:
    problem = why_not_ready(campaign)
    if problem:
        raise CampaignActionRefused(f"The campaign cannot start yet. {problem}")


def schedule_campaign(campaign: Campaign, at: datetime, *, now: datetime | None = None) -> None:
    now = now or timezone.now()
    if at <= now:
        raise CampaignActionRefused("Choose a time in the future.")
    with transaction.atomic():
        current = _locked(campaign, (C.DRAFT,), "scheduled")
        _refuse_unless_ready(current)
        _save(current, status=C.SCHEDULED, scheduled_at=at)


def unschedule_campaign(campaign: Campaign) -> None:
    with transaction.atomic():
        current = _locked(campaign, (C.SCHEDULED,), "unscheduled")
        _save(current, status=C.DRAFT, scheduled_at=None)


def start_due_campaigns(now: datetime | None = None) -> int:
    """Start the scheduled campaigns whose time has come; one that is no longer ready goes back
    to draft with the reason."""
    now = now or timezone.now()
    started = 0
    due = Campaign.objects.filter(status=C.SCHEDULED, scheduled_at__lte=now)
    for campaign in due.only("pk"):
        try:
            start_campaign(campaign, now=now)
        except CampaignActionRefused as exc:
            with transaction.atomic():
                current = Campaign.objects.locked().get(pk=campaign.pk)
                if current.status == C.SCHEDULED:
                    _save(current, status=C.DRAFT, scheduled_at=None, pause_reason=str(exc)[:300])
        else:
            started += 1
    return started


def pause_campaign(campaign: Campaign, reason: str = "") -> int:
    """Stop queueing and take back what is queued but not yet being sent; resuming sends those
    recipients then, so nothing is lost or sent twice. How many were taken back."""
    with transaction.atomic():
        current = _locked(campaign, (C.RUNNING,), "paused")
        returned = feeder.withdraw_queued(current)
        _save(current, status=C.PAUSED, pause_reason=reason[:300])
    return returned


def resume_campaign(campaign: Campaign) -> None:
    with transaction.atomic():
        current = _locked(campaign, (C.PAUSED,), "resumed")
        _refuse_unless_ready(current)
        # Each number's campaign clock starts again from now.
        current.lanes.update(next_send_at=None)
        _save(current, status=C.RUNNING, pause_reason="")
        _feed_after_commit(current)


def finish_campaign(campaign: Campaign, *, now: datetime | None = None) -> None:
    """Mark finished: nothing more is queued; messages already being sent go on."""
    _end(campaign, ACTIVE, C.FINISHED, "marked finished", now)


def cancel_campaign(campaign: Campaign, *, now: datetime | None = None) -> None:
    _end(campaign, (C.SCHEDULED, *ACTIVE), C.CANCELLED, "cancelled", now)


def _end(
    campaign: Campaign, allowed: Iterable[str], status: str, what: str, now: datetime | None
) -> None:
    with transaction.atomic():
        current = _locked(campaign, allowed, what)
        feeder.withdraw_queued(current)
        _save(current, status=status, finished_at=now or timezone.now(), scheduled_at=None)
        campaign_finished.send(Campaign, campaign=current)


def delete_campaign(campaign: Campaign) -> None:
    with transaction.atomic():
        current = _locked(campaign, (C.DRAFT,), "deleted")
        current.delete()


def copy_campaign(campaign: Campaign, user=None) -> Campaign:
    """A new draft with the same settings, message, numbers and recipients (all pending)."""
    with transaction.atomic():
        source = Campaign.objects.get(pk=campaign.pk)
        copy = Campaign.objects.get(pk=campaign.pk)
        copy.pk = None
        copy._state.adding = True
        for name in ("scheduled_at", "started_at", "finished_at"):
            setattr(copy, name, None)
        copy.name = f"Copy of {source.name}"[:120]
        copy.status, copy.pause_reason, copy.rotation, copy.created_by = C.DRAFT, "", 0, user
        copy.save()
        save_campaign(copy, source.texts, [lane.instance for lane in source.lanes.all()])
        rows = source.recipients.values_list("contact_id", "phone", "name", "vars")
        batch = []
        for contact_id, phone, name, vars in rows.iterator(chunk_size=BATCH):
            batch.append(
                CampaignRecipient(
                    campaign=copy, contact_id=contact_id, phone=phone, name=name, vars=vars
                )
            )
            if len(batch) >= BATCH:
                CampaignRecipient.objects.bulk_create(batch)
                batch = []
        CampaignRecipient.objects.bulk_create(batch)
        counters.recount(copy.pk)
    return copy


FAILED = Q(status=RecipientStatus.FAILED) | Q(
    status=RecipientStatus.QUEUED, message__status=OutboundStatus.FAILED
)


def reset_failed(campaign: Campaign) -> int:
    """Failed recipients go back to pending, to be queued again; a finished campaign becomes
    paused so that a person resumes it. How many were reset."""
    with transaction.atomic():
        current = _locked(campaign, (*ACTIVE, C.FINISHED), "reset")
        reset = current.recipients.filter(FAILED).update(
            status=RecipientStatus.PENDING,
            message=None,
            instance=None,
            variant=None,
            queued_at=None,
            error="",
        )
        if not reset:
            raise CampaignActionRefused("No recipient of this campaign has failed.")
        counters.recount(current.pk)
        if current.status == C.FINISHED:
            _save(current, status=C.PAUSED, finished_at=None, pause_reason=RESET_REASON)
        elif current.status == C.RUNNING:
            _feed_after_commit(current)
    return reset


def add_recipients(campaign: Campaign, add: Callable[[Campaign], int]) -> int:
    """Run an audience's `add` (campaigns/audience.py) on a draft."""
    with transaction.atomic():
        current = _locked(campaign, (C.DRAFT,), "given new recipients")
        return add(current)


def remove_recipients(campaign: Campaign, ids: Iterable[int] | None = None) -> int:
    """Remove the given recipients (all when `ids` is None) from a draft."""
    with transaction.atomic():
        current = _locked(campaign, (C.DRAFT,), "changed")
        rows = current.recipients.all()
        if ids is not None:
            rows = rows.filter(pk__in=list(ids))
        removed = rows.delete()[0]
        counters.recount(current.pk)
        return removed


# Marks the replies to a chat's campaign messages; run by `record_reply`, and on PostgreSQL
# inside the inbox's own statement for an incoming message (inbox/conversations.py), with
# `reply_params` and then `count_replies` on the rows it returns.
RECORD_REPLY_SQL = f"""
UPDATE {CampaignRecipient._meta.db_table} SET replied_at = %s
WHERE replied_at IS NULL AND message_id IN (
    SELECT id FROM {OutboundMessage._meta.db_table} WHERE chat_id = %s AND sent_at <= %s
)
RETURNING campaign_id, instance_id"""  # noqa: S608 - table names come from the models; every value is a parameter


def reply_params(chat_id: str | None, at: datetime) -> list:
    """RECORD_REPLY_SQL's parameters; a chat id of None marks nothing."""
    stamp = connection.ops.adapt_datetimefield_value(at)
    return [stamp, chat_id, stamp]


def record_reply(chat_id: str, at: datetime) -> int:
    """A message came in from `chat_id`: the recipients its campaigns messaged there before
    `at` count as replied, once each, and their campaigns' counters with them. For the
    inbox's message handler to call.

    Written out because it runs for every incoming webhook: the ORM's update through the
    `message` relation cost more to compile than the rest of applying the message
    (docs/benchmarks.md, "Webhook ingest under load"). A reply racing another in the same chat
    waits for its row lock and then finds `replied_at` set, so it counts nobody twice."""
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(RECORD_REPLY_SQL, reply_params(chat_id, at))
        return count_replies(cursor.fetchall())


def count_replies(replying: list) -> int:
    """The campaign counters of the recipients RECORD_REPLY_SQL marked, given the rows it
    returned (campaign, number); in the transaction that marked them."""
    tallies: dict[int, counters.Tally] = {}
    for campaign_id, number in replying:
        tallies.setdefault(campaign_id, counters.Tally()).add("replied", number=number)
    for campaign_id, tally in tallies.items():
        tally.apply(campaign_id)
    return len(replying)

"""`/bulk/...`: seed 002's bulk send with variables. A batch is a campaign underneath, shown in
the dashboard, made, started, read and cancelled through the campaign form and services
(docs/architecture.md, "Bulk sends through the API")."""

from __future__ import annotations

import math
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from accounts.roles import Ability
from api import bulk_schemas as bs
from api import schemas
from api.auth import instance_for_key, parse_uuid, require_ability
from api.envelope import ApiError, Code, invalid, success
from api.models import ApiBatch, ApiKey
from api.pagination import PageQuery, page_of
from campaigns import services, templating
from campaigns.audience import Row, add_rows
from campaigns.contact_services import normalize_phone
from campaigns.forms import VARIANT_FIELDS, CampaignForm
from campaigns.models import Campaign, CampaignInstance, CampaignStatus
from campaigns.stats import Counts, campaign_stats, set_progress
from instances.models import Instance
from instances.outbound.validation import kind_refusal
from instances.phone_numbers import InvalidPhoneNumber

router = Router(tags=["Bulk"])

# A randomised delay is drawn from this share of the one asked for to this one.
RANDOM_FROM, RANDOM_TO = 0.5, 1.5
ENDED = (CampaignStatus.FINISHED, CampaignStatus.CANCELLED)
# A refused batch names at most this many bad messages.
DETAILS_MAX = 50
TEXT_ONLY = "A text message has only a text; for media, give image, video or document as type."
DIFFERENT = (
    "Every message of a batch has the type and content of messages.0 (a template with "
    "{name}-style fields); put what differs in variables, or send it in another batch."
)


def pacing(options: bs.BulkOptions) -> tuple[int, int]:
    """`delayBetweenMessages` (ms) as the campaign's whole seconds between two messages: that
    delay, or with `randomizeDelay` a range from half of it to one and a half times it."""
    ms = options.delayBetweenMessages
    if not options.randomizeDelay:
        seconds = round(ms / 1000)
        return seconds, seconds
    return math.floor(ms * RANDOM_FROM / 1000), math.ceil(ms * RANDOM_TO / 1000)


def recipient_phone(chat_id: str) -> str:
    """E.164 for a number or a person's chat id, read like a campaign's CSV rows."""
    value = chat_id.strip()
    if "@" in value:
        number, _, server = value.partition("@")
        if server != "c.us" or not (number.isascii() and number.isdigit()):
            raise InvalidPhoneNumber(
                f"{value[:80]} is not a person's chat id (<digits>@c.us): a batch goes to "
                "people, not to groups or channels."
            )
        value = "+" + number
    return normalize_phone(value)


def _refuse(errors: dict[str, list[str]]) -> None:
    """422 naming the first problem, with at most DETAILS_MAX of them in the details."""
    if not errors:
        return
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    raise invalid(dict(list(errors.items())[:DETAILS_MAX]), more)


def _template_field(message: bs.BulkMessage) -> str:
    return "text" if message.type == "text" else "caption"


def _check_message(message: bs.BulkMessage) -> dict[str, list[str]]:
    """What is wrong with the content every message of the batch shares."""
    content = message.content
    if message.type == "text":
        if not (content.text or "").strip():
            return {"messages.0.content.text": ["Write the text."]}
        if content.url or content.caption:
            return {"messages.0.content": [TEXT_ONLY]}
        return {}
    errors: dict[str, list[str]] = {}
    if not content.url:
        errors["messages.0.content.url"] = ["Give the media's http(s) address."]
    if not (content.caption or "").strip():
        errors["messages.0.content.caption"] = ["A batch's media needs a caption."]
    if content.text:
        errors["messages.0.content.text"] = ["A media message has a caption, not a text."]
    return errors


def _check_shared(messages: list[bs.BulkMessage]) -> None:
    first = messages[0]
    errors = _check_message(first)
    for i, message in enumerate(messages[1:], start=1):
        if message.type != first.type:
            errors[f"messages.{i}.type"] = [DIFFERENT]
        elif message.content != first.content:
            errors[f"messages.{i}.content"] = [DIFFERENT]
    _refuse(errors)


def recipient_rows(messages: list[bs.BulkMessage]) -> list[Row]:
    """One campaign recipient per message, with its variables; refuses bad or repeated
    numbers and variables the template uses that a message has no value for."""
    first = messages[0]
    used = templating.variables_in(getattr(first.content, _template_field(first)) or "")
    # Built-in fields and contacts' custom fields; a recipient's own variables win over them.
    known = templating.known_variables() if used else set()
    errors: dict[str, list[str]] = {}
    rows: list[Row] = []
    index_of: dict[str, int] = {}
    for i, message in enumerate(messages):
        try:
            phone = recipient_phone(message.chatId)
        except InvalidPhoneNumber as exc:
            errors[f"messages.{i}.chatId"] = [str(exc)]
            continue
        if phone in index_of:
            errors[f"messages.{i}.chatId"] = [
                f"{phone} is messages.{index_of[phone]} already; a batch messages a number once."
            ]
            continue
        index_of[phone] = i
        values = {name: str(value) for name, value in message.variables.items()}
        missing = [name for name in used if name not in values and name not in known]
        if missing:
            names = ", ".join("{" + name + "}" for name in missing)
            errors[f"messages.{i}.variables"] = [f"No value for {names}."]
        rows.append(Row(phone, values.get("name", "")[:200], values))
    _refuse(errors)
    return rows


def _campaign_form(body: bs.BulkSendIn, instance: Instance) -> CampaignForm:
    """The dashboard's campaign form, filled in from the request (one number, one template,
    no longer breaks: seed 002 knows only the delay between two messages)."""
    first = body.messages[0]
    media = first.type != "text"
    low, high = pacing(body.options)
    variable_names = {name for message in body.messages for name in message.variables}
    data = {
        "name": body.options.name or f"API batch {timezone.localtime():%Y-%m-%d %H:%M:%S}",
        "media_kind": first.type if media else "",
        "media_url": first.content.url if media else "",
        "wait_between_messages_from": low,
        "wait_between_messages_to": high,
        "sleep_after_from": 0,
        "sleep_after_to": 0,
        "sleep_time_from": 0,
        "sleep_time_to": 0,
        "time_zone": "UTC",
        "window_days": list("1234567"),
        "instances": [instance.pk],
        VARIANT_FIELDS[0]: getattr(first.content, _template_field(first)),
    }
    form = CampaignForm(data, extra_variables=sorted(variable_names))
    if not form.is_valid():
        names = {
            "name": "options.name",
            "media_kind": "messages.0.type",
            "media_url": "messages.0.content.url",
            "wait_between_messages_from": "options.delayBetweenMessages",
            "wait_between_messages_to": "options.delayBetweenMessages",
            VARIANT_FIELDS[0]: f"messages.0.content.{_template_field(first)}",
        }
        _refuse(
            {names.get(field, "body"): list(problems) for field, problems in form.errors.items()}
        )
    return form


@router.post(
    "/send",
    response=schemas.answers(201, bs.BatchSentEnvelope, 403, 404),
    summary="Send one message template to many, with variables",
)
def send_bulk(request: HttpRequest, body: bs.BulkSendIn):
    """Makes a campaign on the profile with one recipient per message and starts it (or
    schedules it for `options.sendAt`). Contacts who opted out are left out (`meta.skipped`)."""
    key = require_ability(request, Ability.MANAGE_CAMPAIGNS)
    instance = instance_for_key(key, body.profileId)
    _check_shared(body.messages)
    refusal = kind_refusal(body.messages[0].type, instance)
    if refusal:
        _refuse({"messages.0.type": [refusal]})
    send_at = body.options.sendAt
    if send_at is not None and timezone.is_naive(send_at):
        _refuse({"options.sendAt": ["Give the time with its zone, like 2030-01-01T09:00:00Z."]})
    rows = recipient_rows(body.messages)
    form = _campaign_form(body, instance)
    with transaction.atomic():
        campaign = form.save(commit=False)
        services.save_campaign(campaign, form.texts, [instance])
        added = services.add_recipients(campaign, lambda draft: add_rows(draft, rows))
        if not added:
            raise ApiError(Code.VALIDATION_ERROR, "Every recipient has opted out: nothing to send.")
        batch = ApiBatch.objects.create(campaign=campaign, key=key)
        # A time already past means now, as for a single message's sendAt.
        try:
            if send_at is not None and send_at > timezone.now():
                services.schedule_campaign(campaign, send_at)
            else:
                services.start_campaign(campaign)
        except services.CampaignActionRefused as exc:
            raise ApiError(Code.CONFLICT, str(exc)) from None
    return Status(201, success(_detail(batch.uuid), skipped=len(rows) - added))


def _batches_for(key: ApiKey):
    rows = ApiBatch.objects.select_related("campaign").prefetch_related(
        Prefetch("campaign__lanes", queryset=CampaignInstance.objects.select_related("instance"))
    )
    if key.allowed_instance_ids is not None:
        rows = rows.filter(campaign__lanes__instance_id__in=key.allowed_instance_ids)
    return rows


def _batch_for(key: ApiKey, batch_id: str) -> ApiBatch:
    """The batch, if it is on a profile this key may use; NOT_FOUND otherwise."""
    uid = parse_uuid(batch_id)
    batch = _batches_for(key).filter(uuid=uid).first() if uid else None
    if batch is None:
        raise ApiError(Code.NOT_FOUND, f"No batch with id {batch_id[:64]!r}.")
    return batch


def batch_data(batch: ApiBatch, total: int, progress: int) -> dict[str, Any]:
    campaign: Campaign = batch.campaign
    lanes = list(campaign.lanes.all())
    return {
        "id": str(batch.uuid),
        "name": campaign.name,
        "profileId": str(lanes[0].instance.uuid) if lanes else None,
        "status": campaign.status,
        "pauseReason": campaign.pause_reason or None,
        "createdAt": campaign.created_at,
        "scheduledAt": campaign.scheduled_at,
        "startedAt": campaign.started_at,
        "finishedAt": campaign.finished_at,
        "total": total,
        "progress": 100 if campaign.status in ENDED else progress,
    }


def counts_of(campaign: Campaign) -> Counts:
    """The campaign page's counts; an ended campaign sends nothing more, so its recipients
    still pending count as cancelled."""
    counts = campaign_stats(campaign).counts
    if campaign.status in ENDED:
        counts.cancelled += counts.pending
        counts.pending = 0
    return counts


def _detail(batch_uuid) -> dict[str, Any]:
    batch = ApiBatch.objects.select_related("campaign").get(uuid=batch_uuid)
    counts = counts_of(batch.campaign)
    data = batch_data(batch, counts.total, counts.progress)
    data["counts"] = {
        "total": counts.total,
        "pending": counts.pending,
        "queued": counts.queued,
        "sent": counts.sent,
        "delivered": counts.delivered,
        "read": counts.read,
        "replied": counts.replied,
        "failed": counts.failed,
        "unconfirmed": counts.unconfirmed,
        "optedOut": counts.opted_out,
        "cancelled": counts.cancelled,
    }
    return data


@router.get(
    "/batches",
    response=schemas.answers(200, bs.BatchListEnvelope, 403),
    summary="List the batches, newest first",
)
def list_batches(request: HttpRequest, page: Query[PageQuery]):
    """Batches made through the API on the profiles this key may use, with their progress;
    a batch's own answer has its counts."""
    key = require_ability(request, Ability.VIEW_CAMPAIGNS)
    batches, pagination = page_of(_batches_for(key).order_by("-created_at", "-id"), page)
    set_progress([batch.campaign for batch in batches])
    data = [batch_data(batch, batch.campaign.total, batch.campaign.progress) for batch in batches]
    return success(data, **pagination)


@router.get(
    "/batch/{batch_id}",
    response=schemas.answers(200, bs.BatchEnvelope, 403, 404),
    summary="A batch's status and counts",
)
def get_batch(request: HttpRequest, batch_id: str):
    key = require_ability(request, Ability.VIEW_CAMPAIGNS)
    return success(_detail(_batch_for(key, batch_id).uuid))


@router.post(
    "/batch/{batch_id}/cancel",
    response=schemas.answers(200, bs.BatchEnvelope, 403, 404, 409),
    summary="Cancel a batch",
)
def cancel_batch(request: HttpRequest, batch_id: str):
    """Nothing more is sent; a message already being sent goes on. A finished or cancelled
    batch is refused (409) with the reason."""
    key = require_ability(request, Ability.MANAGE_CAMPAIGNS)
    batch = _batch_for(key, batch_id)
    try:
        services.cancel_campaign(batch.campaign)
    except services.CampaignActionRefused as exc:
        raise ApiError(Code.CONFLICT, str(exc)) from None
    return success(_detail(batch.uuid))

"""Campaign pages: list, form with a live preview, the live campaign page, actions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import Ability, can, require
from campaigns import services, templating
from campaigns.counters import DELIVERED, IN_FLIGHT, READ, SENT
from campaigns.forms import VARIANT_FIELDS, AudienceForm, CampaignForm, ScheduleForm
from campaigns.models import (
    Campaign,
    CampaignInstance,
    CampaignStatus,
    Contact,
    RecipientStatus,
)
from campaigns.stats import (
    CHART_HEIGHT,
    COLUMN_GAP,
    COLUMN_WIDTH,
    MAX_BARS,
    CampaignStats,
    campaign_stats,
    chart_columns,
    set_progress,
)
from config.live import cursor_of, render_live_region
from instances.models import Instance, InstanceStatus
from instances.models import OutboundStatus as S

PAGE_SIZE = 25
RECIPIENTS_PAGE_SIZE = 50
C = CampaignStatus


def get_campaign_for_user(request, pk: int) -> Campaign:
    """Everyone who may manage campaigns may open every campaign; the decorator checked."""
    return get_object_or_404(Campaign, pk=pk)


@require(Ability.MANAGE_CAMPAIGNS)
@require_GET
def campaign_list(request):
    rows = Campaign.objects.order_by("-created_at", "-id").prefetch_related(
        Prefetch("lanes", queryset=CampaignInstance.objects.select_related("instance"))
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    set_progress(list(page))
    # The empty state's next step depends on whether a number could send a campaign today.
    numbers = Instance.objects.aggregate(
        total=Count("pk"), linked=Count("pk", filter=Q(status=InstanceStatus.WORKING))
    )
    context = {
        "page": page,
        "numbers": numbers,
        "may_add_instances": can(request.user, Ability.MANAGE_INSTANCES),
    }
    return render(request, "campaigns/campaign_list.html", context)


@require(Ability.MANAGE_CAMPAIGNS)
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    audience = AudienceForm(request.POST or None, request.FILES or None, prefix="audience")
    audience_ok = audience.is_valid() if request.method == "POST" else False
    form = CampaignForm(request.POST or None, extra_variables=audience.variable_names)
    if request.method == "POST" and form.is_valid() and audience_ok:
        campaign = form.save(commit=False)
        campaign.created_by = request.user
        services.save_campaign(campaign, form.texts, form.cleaned_data["instances"])
        adder = audience.adder()
        added = services.add_recipients(campaign, adder) if adder else 0
        messages.success(request, f"Draft saved with {added} recipient{'s' * (added != 1)}.")
        report_problems(request, audience)
        return redirect(campaign)
    return render(
        request,
        "campaigns/campaign_form.html",
        {"form": form, "audience": audience, "preview": _preview(form.data, None)},
    )


def report_problems(request, audience: AudienceForm) -> None:
    problems = audience.parsed.problems if audience.parsed else []
    if problems:
        shown = "; ".join(problems[:5])
        more = f" and {len(problems) - 5} more" if len(problems) > 5 else ""
        messages.warning(request, f"{len(problems)} rows were left out: {shown}{more}.")


@require(Ability.MANAGE_CAMPAIGNS)
@require_http_methods(["GET", "POST"])
def campaign_edit(request, pk: int):
    campaign = get_campaign_for_user(request, pk)
    if campaign.status != C.DRAFT:
        messages.error(request, "Only a draft can be edited; copy the campaign to change it.")
        return redirect(campaign)
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_campaign(
                form.save(commit=False), form.texts, form.cleaned_data["instances"]
            )
        except services.CampaignActionRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Saved.")
        return redirect(campaign)
    context = {"form": form, "campaign": campaign, "preview": _preview(form.data, campaign)}
    return render(request, "campaigns/campaign_form.html", context)


@require(Ability.MANAGE_CAMPAIGNS)
@require_POST
def campaign_preview(request):
    """The message as a sample recipient would get it; htmx asks while the form is typed in,
    and the form's Preview button (without JavaScript) shows the whole form with it."""
    campaign = None
    if request.GET.get("campaign", "").isdigit():
        campaign = Campaign.objects.filter(pk=request.GET["campaign"]).first()
    preview = _preview(request.POST, campaign)
    if request.htmx:
        return render(request, "campaigns/campaign_form.html#preview", {"preview": preview})
    form = CampaignForm(request.POST, instance=campaign)
    # A draft being edited changes its recipients on their own page.
    audience = None if campaign else AudienceForm(request.POST, prefix="audience")
    context = {"form": form, "audience": audience, "campaign": campaign, "preview": preview}
    return render(request, "campaigns/campaign_form.html", context)


def _preview(data, campaign: Campaign | None) -> dict:
    texts = [data.get(name, "")[:4096] for name in VARIANT_FIELDS if data.get(name, "").strip()]
    sample = campaign.recipients.select_related("contact").first() if campaign else None
    if sample is not None:
        custom = sample.contact.custom_fields if sample.contact else {}
        values = templating.values_for(sample.name, sample.phone, custom, sample.vars)
        who = sample.name or sample.phone
    else:
        contact = Contact.objects.filter(opted_out=False).first()
        if contact is not None:
            values = templating.values_for(contact.name, contact.phone, contact.custom_fields, {})
            who = str(contact)
        else:
            values = templating.values_for("Ana Example", "+4915123456789", {}, {})
            who = "an example contact"
    # The columns of a file being uploaded are only known once the form is sent.
    from_file = data.get("audience-audience") == AudienceForm.CSV
    known = templating.known_variables(campaign.pk if campaign else None)
    return {
        "who": who,
        "from_file": from_file,
        "variants": [
            {
                "text": templating.render(text, values, keep_missing=True),
                "unknown": [] if from_file else templating.unknown_variables([text], known),
            }
            for text in texts
        ],
    }


RECIPIENT_FILTERS = {
    "pending": ("Pending", Q(status=RecipientStatus.PENDING)),
    "queued": ("Queued", Q(status=RecipientStatus.QUEUED, message__status__in=IN_FLIGHT)),
    "sent": ("Sent", Q(message__status__in=SENT)),
    "delivered": ("Delivered", Q(message__status__in=DELIVERED)),
    "read": ("Read", Q(message__status__in=READ)),
    "replied": ("Replied", Q(replied_at__isnull=False)),
    "failed": ("Failed", Q(status=RecipientStatus.FAILED) | Q(message__status=S.FAILED)),
    "opted-out": ("Opted out", Q(status=RecipientStatus.SKIPPED)),
}


@require(Ability.MANAGE_CAMPAIGNS)
@require_GET
def campaign_detail(request, pk: int):
    """The campaign, live: one poll brings the statistics and the recipients table."""
    campaign = get_campaign_for_user(request, pk)
    stats = campaign_stats(campaign)
    counts = stats.counts
    cursor = cursor_of(campaign.status, campaign.updated_at, campaign.pause_reason, vars(counts))
    if request.htmx and request.GET.get("region") == "live":
        return render_live_region(
            request,
            "campaigns/campaign_live.html",
            cursor=cursor,
            context=lambda: {
                **_stats_context(campaign, stats),
                **_recipients_context(request, campaign, counts),
            },
            final=campaign.status in (C.FINISHED, C.CANCELLED),
        )
    context = {
        **_stats_context(campaign, stats),
        **_recipients_context(request, campaign, counts),
        "cursor": cursor,
        "variants": campaign.texts,
        "lanes": list(campaign.lanes.select_related("instance")),
        "not_ready": services.why_not_ready(campaign) if campaign.status == C.DRAFT else "",
    }
    return render(request, "campaigns/campaign_detail.html", context)


def _recipients_context(request, campaign: Campaign, counts) -> dict:
    shown = request.GET.get("show", "")
    recipients = campaign.recipients.select_related("message", "instance").order_by("id")
    paginator = Paginator(recipients, RECIPIENTS_PAGE_SIZE)
    if shown in RECIPIENT_FILTERS:
        paginator = Paginator(recipients.filter(RECIPIENT_FILTERS[shown][1]), RECIPIENTS_PAGE_SIZE)
    else:
        shown = ""
        # The statistics counted them already.
        paginator.count = counts.total
    page = paginator.get_page(request.GET.get("page"))
    poll = {"region": "live", "show": shown, "page": page.number}
    return {
        "campaign": campaign,
        "recipients": page,
        "filters": [(key, label) for key, (label, _) in RECIPIENT_FILTERS.items()],
        "shown": shown,
        "live_url": f"{campaign.get_absolute_url()}?{urlencode(poll)}",
    }


def _stats_context(campaign: Campaign, stats: CampaignStats) -> dict:
    columns = chart_columns(stats.unit, stats.bars)
    return {
        "campaign": campaign,
        "counts": stats.counts,
        "by_number": stats.by_number,
        "chart": {
            "unit": stats.unit,
            "columns": columns,
            "height": CHART_HEIGHT,
            "width": MAX_BARS * (COLUMN_WIDTH + COLUMN_GAP),
            "column_width": COLUMN_WIDTH,
        },
    }


@dataclass(frozen=True)
class CampaignAction:
    service: Callable | None
    title: str
    done: str
    explanation: str = ""
    warning: str = ""


UNDONE = "This cannot be undone."
ENDS = "Nothing more is sent; recipients still pending are never messaged."
ACTIONS = {
    "start": CampaignAction(services.start_campaign, "Start sending now", "Started."),
    "unschedule": CampaignAction(
        services.unschedule_campaign, "Unschedule", "Unscheduled: it is a draft again."
    ),
    "pause": CampaignAction(
        services.pause_campaign,
        "Pause",
        "Paused. Messages not yet being sent were taken back; they go out when you resume.",
        "Messages not yet being sent are taken back and go out when you resume.",
    ),
    "resume": CampaignAction(services.resume_campaign, "Resume", "Resumed."),
    "finish": CampaignAction(
        services.finish_campaign, "Mark finished", "Marked finished.", ENDS, UNDONE
    ),
    "cancel": CampaignAction(
        services.cancel_campaign, "Cancel the campaign", "Cancelled.", ENDS, UNDONE
    ),
    "copy": CampaignAction(
        None, "Copy", "", "A new draft with the same settings, message, numbers and recipients."
    ),
    "reset-failed": CampaignAction(
        services.reset_failed,
        "Send to the failed recipients again",
        "The failed recipients are back in line.",
        "Failed recipients go back to pending and are queued again.",
    ),
    "delete": CampaignAction(
        services.delete_campaign,
        "Delete this draft",
        "Deleted.",
        "The draft and its recipient list are removed.",
        UNDONE,
    ),
}


@require(Ability.MANAGE_CAMPAIGNS)
@require_http_methods(["GET", "POST"])
def campaign_action(request, pk: int, action: str):
    """GET asks for confirmation; POST does it and says what happened."""
    campaign = get_campaign_for_user(request, pk)
    if action not in ACTIONS:
        return redirect(campaign)
    chosen = ACTIONS[action]
    if request.method == "GET":
        context = {"campaign": campaign, "action": action, "chosen": chosen}
        return render(request, "campaigns/campaign_confirm.html", context)
    try:
        if action == "copy":
            copy = services.copy_campaign(campaign, request.user)
            messages.success(request, f"Copied into the draft {copy.name}.")
            return redirect(copy)
        chosen.service(campaign)
    except services.CampaignActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, chosen.done)
        if action == "delete":
            return redirect("campaigns:list")
    return redirect(campaign)


@require(Ability.MANAGE_CAMPAIGNS)
@require_http_methods(["GET", "POST"])
def campaign_schedule(request, pk: int):
    campaign = get_campaign_for_user(request, pk)
    form = ScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.schedule_campaign(campaign, form.cleaned_data["at"])
        except services.CampaignActionRefused as exc:
            form.add_error("at", str(exc))
        else:
            at = timezone.localtime(form.cleaned_data["at"])
            messages.success(request, f"Scheduled for {at:%Y-%m-%d %H:%M}.")
            return redirect(campaign)
    return render(request, "campaigns/campaign_schedule.html", {"campaign": campaign, "form": form})

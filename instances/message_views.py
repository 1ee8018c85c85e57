"""Composing messages and following them through the queue."""

from __future__ import annotations

from datetime import datetime, time

from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from accounts.roles import Ability, require
from config.live import cursor_of, render_live_region
from instances.message_forms import ComposeForm, MessageFilterForm, RetryFailedForm
from instances.models import (
    Instance,
    InstanceStatus,
    OutboundMessage,
    OutboundStatus,
    QueueSettings,
)
from instances.outbound import OutboundValidationError, enqueue
from instances.outbound.actions import (
    SAMPLE_SIZE,
    ActionRefused,
    cancel_message,
    clear_queue,
    failed_to_retry,
    mark_sent,
    queued_messages,
    resend_message,
    retry_failed,
    retry_message,
)
from instances.outbound.dispatcher import resume_sending
from instances.outbound.media import LinkRefused, read_link

PAGE_SIZE = 50
# No webhook moves these on any more (read and played are the top of the ladder).
FINISHED = frozenset(
    {
        OutboundStatus.READ,
        OutboundStatus.PLAYED,
        OutboundStatus.FAILED,
        OutboundStatus.CANCELLED,
    }
)


def _get_message_for_user(request, pk: int) -> OutboundMessage:
    """Everyone who may send may follow every message; the decorator checked the role."""
    return get_object_or_404(OutboundMessage.objects.select_related("instance"), pk=pk)


# Room for the form's other fields next to the largest file accepted.
FORM_FIELDS_BYTES = 65_536


@require(Ability.SEND_MESSAGES)
@require_http_methods(["GET", "POST"])
def compose(request):
    limit = settings.OUTBOUND_MEDIA_MAX_BYTES
    if request.method == "POST" and _content_length(request) > limit + FORM_FIELDS_BYTES:
        # Refused before Django reads the body, so an oversized upload is not written to disk.
        return HttpResponse(
            f"The upload is larger than {limit / 1_048_576:.1f} MB, the largest file accepted.",
            status=413,
            content_type="text/plain",
        )
    kind = request.POST.get("kind") or request.GET.get("kind") or "text"
    initial = {
        "instance": request.GET.get("instance") or _only_instance(),
        "to": request.GET.get("to", ""),
    }
    form = ComposeForm(request.POST or None, request.FILES or None, kind=kind, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            message = enqueue(
                form.cleaned_data["instance"],
                form.cleaned_data["to"],
                form.kind,
                form.payload(),
                priority=form.cleaned_data["priority"],
                send_at=form.cleaned_data["send_at"],
                upload=form.upload(),
            )
        except OutboundValidationError as exc:
            form.add_queue_errors(exc)
        else:
            messages.success(request, f"Queued for {message.chat_id}.")
            return redirect("messages:detail", pk=message.pk)
    template = "messages/compose.html"
    if request.htmx and request.method == "GET":
        template += "#kind-fields"
    return render(request, template, {"form": form})


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _only_instance() -> int | None:
    """With a single number there is nothing to choose: preselect it."""
    ids = list(Instance.objects.values_list("pk", flat=True)[:2])
    return ids[0] if len(ids) == 1 else None


@require(Ability.SEND_MESSAGES)
@require_GET
def message_list(request):
    filters = MessageFilterForm(request.GET or None)
    rows = OutboundMessage.objects.select_related("instance").order_by("-created_at", "-id")
    if filters.is_valid():
        rows = _filtered(rows, filters.cleaned_data)
    counts = dict(rows.order_by().values_list("status").annotate(n=Count("id")))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "page": page,
        "counts": [(value, label, counts.get(value, 0)) for value, label in OutboundStatus.choices],
        # Why queued messages may not be moving: shown above the list.
        "waiting": Instance.objects.exclude(status=InstanceStatus.WORKING)
        .filter(outbound__status=OutboundStatus.QUEUED)
        .distinct()
        .order_by("name"),
        "paused": QueueSettings.objects.filter(paused=True).select_related("instance"),
        # Whole-queue actions are offered while the list shows one number.
        "selected": filters.cleaned_data.get("instance") if filters.is_valid() else None,
    }
    return render(request, "messages/message_list.html", context)


def _filtered(rows, data: dict):
    if data.get("instance"):
        rows = rows.filter(instance=data["instance"])
    if data.get("status"):
        rows = rows.filter(status=data["status"])
    if data.get("kind"):
        rows = rows.filter(kind=data["kind"])
    if data.get("to"):
        rows = rows.filter(chat_id__icontains=data["to"].strip().lstrip("+"))
    zone = timezone.get_current_timezone()
    if data.get("since"):
        rows = rows.filter(created_at__gte=datetime.combine(data["since"], time.min, zone))
    if data.get("until"):
        rows = rows.filter(created_at__lte=datetime.combine(data["until"], time.max, zone))
    return rows


@require(Ability.SEND_MESSAGES)
@require_GET
def message_detail(request, pk: int):
    """The message and its attempts; the region polls itself until nothing more can happen."""
    message = _get_message_for_user(request, pk)
    template = "messages/message_detail.html"
    if request.htmx:
        template += "#message-state"
    return render_live_region(
        request,
        template,
        cursor=cursor_of(message.status, message.updated_at, message.instance.status),
        context=lambda: {"message": message, "tries": list(message.tries.all())},
        final=message.status in FINISHED,
    )


# Each action: (service, words for the confirmation and the result, needs a decision warning).
ACTIONS = {
    "cancel": (cancel_message, "Cancel this message", False),
    "retry": (retry_message, "Send this failed message again", False),
    "mark-sent": (mark_sent, "Mark this message as sent", True),
    "resend": (resend_message, "Send this unconfirmed message again", True),
}


@require(Ability.SEND_MESSAGES)
@require_http_methods(["GET", "POST"])
def message_action(request, pk: int, action: str):
    """GET asks for confirmation; POST does it and says what happened."""
    message = _get_message_for_user(request, pk)
    if action not in ACTIONS:
        return redirect("messages:detail", pk=pk)
    service, title, decision = ACTIONS[action]
    if request.method == "GET":
        context = {"message": message, "action": action, "title": title, "decision": decision}
        return render(request, "messages/message_confirm.html", context)
    try:
        if decision:
            service(message, request.user.get_username())
        else:
            service(message)
    except ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Done: {title.lower()}.")
    return redirect("messages:detail", pk=pk)


@require(Ability.SEND_MESSAGES)
@require_POST
def message_resume(request, pk: int):
    """Resume an instance's paused sending (from the message list's warning)."""
    instance = get_object_or_404(Instance, pk=pk)
    resume_sending(instance)
    messages.success(request, f"Sending resumed on {instance.name}.")
    return redirect("messages:list")


@require(Ability.SEND_MESSAGES)
@require_http_methods(["GET", "POST"])
def retry_all_failed(request, pk: int):
    """GET shows how many failed messages would go again (and some of them) for the chosen
    options; POST queues them again."""
    instance = get_object_or_404(Instance, pk=pk)
    data = request.POST if request.method == "POST" else request.GET
    form = RetryFailedForm(data if data else None)
    options = {}
    if form.is_valid():
        options = {
            "since": form.since_start(),
            "last_per_chat": form.cleaned_data["last_per_chat"],
        }
    if request.method == "POST" and form.is_valid():
        retried = retry_failed(instance, **options)
        if retried:
            messages.success(request, f"Queued {retried} failed messages again.")
        else:
            messages.info(request, "There were no failed messages to send again.")
        return redirect(f"{reverse('messages:list')}?instance={instance.pk}")
    rows = failed_to_retry(instance, **options) if not form.errors else None
    context = {
        "instance": instance,
        "form": form,
        "count": rows.count() if rows is not None else 0,
        "sample": list(rows[:SAMPLE_SIZE]) if rows is not None else [],
    }
    return render(request, "messages/retry_failed.html", context)


@require(Ability.SEND_MESSAGES)
@require_http_methods(["GET", "POST"])
def clear_instance_queue(request, pk: int):
    """GET confirms with how many messages wait and some of them; POST cancels them all."""
    instance = get_object_or_404(Instance, pk=pk)
    if request.method == "POST":
        cancelled = clear_queue(instance)
        messages.success(request, f"Cancelled {cancelled} queued messages of {instance.name}.")
        return redirect(f"{reverse('messages:list')}?instance={instance.pk}")
    rows = queued_messages(instance)
    context = {"instance": instance, "count": rows.count(), "sample": list(rows[:SAMPLE_SIZE])}
    return render(request, "messages/clear_queue.html", context)


@require_safe
def outbound_media(request, token: str):
    """A file uploaded with a message, for the gateway that sends it: no login, a signed link
    that expires (instances/outbound/media.py)."""
    try:
        media = read_link(token)
    except LinkRefused as exc:
        return HttpResponse(str(exc), status=410 if exc.expired else 404, content_type="text/plain")
    if not default_storage.exists(media.name):
        return HttpResponse(
            "This file was deleted: its message is finished.", status=410, content_type="text/plain"
        )
    # An attachment, never rendered on Switchboard's own origin (a PDF or text file is content
    # from outside); gateways read the bytes either way.
    return FileResponse(
        default_storage.open(media.name, "rb"),
        content_type=media.mimetype,
        as_attachment=True,
        filename=media.filename,
    )

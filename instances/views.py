from __future__ import annotations

import base64

import segno
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from accounts.roles import Ability, require
from config.live import cursor_of, render_live_region
from instances import services
from instances.actions import Action, offered_actions
from instances.engines.base import (
    AuthenticationError,
    Capability,
    EngineError,
    RetryableError,
    UnconfirmedError,
    WrongGatewayError,
    WrongStateError,
)
from instances.forms import InstanceForm, PairingCodeForm
from instances.models import Instance, InstanceStatus
from instances.outbound.dispatcher import queue_settings
from instances.outbound.overview import overviews, with_queue_counts
from instances.queue_forms import QueueSettingsForm
from instances.webhook_reach import webhook_warning

HISTORY_LENGTH = 15
# Sent when the status panel changes, so the QR panel looks again even after it stopped polling.
STATUS_CHANGED_EVENT = "instance-status-changed"


def _get_instance_for_user(request, pk: int) -> Instance:
    """Every role that may see instances sees all of them; the decorator checked the role."""
    return get_object_or_404(Instance, pk=pk)


def _instances_with_queue_depth():
    return with_queue_counts(Instance.objects.order_by("name"))


@require(Ability.VIEW_INSTANCES)
@require_GET
def instance_list(request):
    page = Paginator(_instances_with_queue_depth(), 25).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    queues = overviews(rows)
    for row in rows:
        row.overview = queues[row.pk]
    cursor = cursor_of(
        page.number,
        page.paginator.count,
        [
            (i.pk, i.name, i.status, i.attention, i.phone, i.engine, i.queue_depth, i.overview)
            for i in rows
        ],
    )
    template = "instances/instance_list.html"
    if request.htmx:
        template += "#rows"
    return render_live_region(request, template, cursor=cursor, context=lambda: {"page": page})


@require(Ability.MANAGE_INSTANCES)
@require_http_methods(["GET", "POST"])
def instance_create(request):
    form = InstanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        instance = form.save()
        problem = services.ready_saved_instance(instance, actor=request.user)
        if problem:
            messages.warning(
                request, f"Added {instance.name}, but the engine could not be set up: {problem}"
            )
        elif instance.supports(Capability.SEND_ONLY):
            messages.success(request, f"Added {instance.name}. It is ready to send.")
        elif instance.supports(Capability.SESSIONLESS):
            messages.success(request, f"Added {instance.name} and registered its webhook.")
        else:
            messages.success(request, f"Added {instance.name}. Start it to link a number.")
        return redirect(instance)
    return render(request, "instances/instance_form.html", {"form": form})


@require(Ability.MANAGE_INSTANCES)
@require_http_methods(["GET", "POST"])
def instance_edit(request, pk: int):
    instance = _get_instance_for_user(request, pk)
    form = InstanceForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        problem = services.ready_saved_instance(instance, actor=request.user)
        if problem:
            messages.warning(
                request, f"Saved {instance.name}, but the engine could not be set up: {problem}"
            )
        else:
            messages.success(request, f"Saved {instance.name}.")
        return redirect(instance)
    return render(request, "instances/instance_form.html", {"form": form, "instance": instance})


@require(Ability.MANAGE_INSTANCES)
@require_POST
def instance_test_connection(request, pk: int | None = None):
    """Try the settings in the form, saved or not; each problem is shown by its field."""
    saved = _get_instance_for_user(request, pk) if pk else None
    form = InstanceForm(request.POST, instance=saved)
    connection = {"ok": False, "message": "Not tested: correct the marked fields first."}
    if form.is_valid():
        candidate = form.save(commit=False)
        try:
            state = services.test_connection(candidate)
        except EngineError as exc:
            field = _field_to_blame(exc)
            form.add_error(field, exc.message)
            connection["message"] = (
                f"Connection failed: see {form.fields[field].label}." if field else exc.message
            )
        else:
            connection = {
                "ok": True,
                "message": f"Connected and authenticated. Session {candidate.session_name!r} "
                f"is {state.raw_status or state.status}.",
            }
    context = {"form": form, "instance": saved, "connection": connection}
    template = "instances/instance_form.html"
    if request.htmx:
        template += "#instance-form"
    return render(request, template, context)


def _field_to_blame(error: EngineError) -> str | None:
    """The form field a person should change to fix `error`; None for the form as a whole."""
    if isinstance(error, AuthenticationError):
        return "api_key"
    if isinstance(error, WrongGatewayError):
        return "base_url"
    if isinstance(error, RetryableError | UnconfirmedError) and error.status_code is None:
        # Nothing answered at that address. A 429 or 5xx came from the engine: the address
        # is right and the problem is the engine's.
        return "base_url"
    return None


@require(Ability.VIEW_INSTANCES)
@require_GET
def instance_detail(request, pk: int):
    instance = _get_instance_for_user(request, pk)
    cursor = cursor_of(
        instance.status,
        instance.status_changed_at,
        instance.phone,
        instance.push_name,
        instance.attention,
        instance.last_error,
        instance.last_event_at,
        instance.last_polled_at,
        instance.updated_at,
    )

    def context() -> dict:
        history = list(instance.status_changes.select_related("actor")[:HISTORY_LENGTH])
        return {
            "instance": instance,
            "history": history,
            "webhook_warning": webhook_warning(instance, history),
            "offers": offered_actions(instance),
            "pairing_form": PairingCodeForm(),
            "capability": {c.value: instance.supports(c) for c in Capability},
            "queue": overviews(with_queue_counts(Instance.objects.filter(pk=instance.pk)))[
                instance.pk
            ],
            "session_label": instance.engine_class.session_label,
        }

    template = "instances/instance_detail.html"
    if request.htmx:
        template += "#status-panel"
    response = render_live_region(request, template, cursor=cursor, context=context)
    if request.htmx and response.status_code == 200:
        trigger_client_event(response, STATUS_CHANGED_EVENT)
    return response


@require(Ability.MANAGE_INSTANCES)
@never_cache
@require_GET
def instance_qr(request, pk: int):
    """The QR panel: the current code while the session waits for a scan, else a short note.

    Polling ends once a number is linked; a status change on the page wakes it again.
    """
    instance = _get_instance_for_user(request, pk)
    qr_src, error = "", ""
    if instance.status == InstanceStatus.SCAN_QR_CODE and instance.supports(Capability.QR):
        try:
            qr_src = _qr_data_uri(services.fetch_qr(instance))
        except WrongStateError:
            # The session moved on (linked, or failed) before our status heard of it.
            services.poll_status(instance)
            instance.refresh_from_db()
        except EngineError as exc:
            error = exc.message
    linked = instance.status == InstanceStatus.WORKING
    return render_live_region(
        request,
        "instances/instance_detail.html#qr-panel",
        cursor=cursor_of(instance.status, instance.phone, qr_src, error),
        context=lambda: {
            "instance": instance,
            "qr_src": qr_src,
            "error": error,
            "linked": linked,
            "pairing": instance.supports(Capability.PAIRING_CODE),
        },
        final=linked,
    )


def _qr_data_uri(qr) -> str:
    if qr.value:
        return segno.make(qr.value, error="l").svg_data_uri(scale=5, border=2)
    return "data:image/png;base64," + base64.b64encode(qr.png).decode()


@require(Ability.MANAGE_INSTANCES)
@require_POST
def instance_pairing_code(request, pk: int):
    instance = _get_instance_for_user(request, pk)
    form = PairingCodeForm(request.POST)
    context = {"instance": instance, "pairing_form": form, "pairing_code": "", "pairing_error": ""}
    if form.is_valid():
        try:
            context["pairing_code"] = services.request_pairing_code(
                instance, form.cleaned_data["phone"]
            )
        except EngineError as exc:
            context["pairing_error"] = exc.message
    if request.htmx:
        return render(request, "instances/instance_detail.html#pairing-panel", context)
    if context["pairing_code"]:
        messages.success(request, f"Pairing code: {context['pairing_code']}")
    else:
        messages.error(request, context["pairing_error"] or "Enter a valid phone number.")
    return redirect(instance)


@require(Ability.MANAGE_INSTANCES)
@never_cache
@require_GET
def instance_screenshot(request, pk: int):
    """What the engine's browser shows, inside the page; an error is a message, not a 502."""
    instance = _get_instance_for_user(request, pk)
    if not instance.supports(Capability.SCREENSHOT):
        raise Http404("This engine cannot take screenshots.")
    context = {"instance": instance, "screenshot_src": "", "screenshot_error": ""}
    try:
        shot = services.take_screenshot(instance)
    except EngineError as exc:
        context["screenshot_error"] = f"Could not take a screenshot: {exc.message}"
    else:
        encoded = base64.b64encode(shot.content).decode()
        context["screenshot_src"] = f"data:{shot.mimetype};base64,{encoded}"
    if request.htmx:
        return render(request, "instances/instance_detail.html#screenshot-panel", context)
    if context["screenshot_error"]:
        messages.error(request, context["screenshot_error"])
        return redirect(instance)
    return render(request, "instances/instance_screenshot.html", context)


def _action_or_404(instance: Instance, name: str) -> Action:
    try:
        action = Action(name)
    except ValueError:
        raise Http404("No such action.") from None
    if not instance.supports(action.capability):
        raise Http404(f"{instance.engine_class.label} cannot {action.value} a session.")
    return action


@require(Ability.MANAGE_INSTANCES)
@require_http_methods(["GET", "POST"])
def instance_action(request, pk: int, action: str):
    """GET asks for confirmation; POST runs the action and reports in plain words."""
    instance = _get_instance_for_user(request, pk)
    action = _action_or_404(instance, action)
    if request.method == "GET":
        return render(
            request, "instances/instance_confirm.html", {"instance": instance, "action": action}
        )
    try:
        services.perform_action(instance, action, actor=request.user)
    except EngineError as exc:
        messages.error(request, f"Could not {action.value} {instance.name}: {exc.message}")
    else:
        messages.success(request, f"{action.value.capitalize()} sent to {instance.name}.")
    return redirect(instance)


@require(Ability.MANAGE_INSTANCES)
@require_http_methods(["GET", "POST"])
def instance_delete(request, pk: int):
    """Delete the session on the engine (where it can) and the instance here."""
    instance = _get_instance_for_user(request, pk)
    if request.method == "GET":
        context = {"instance": instance, "deletes_on_engine": instance.supports(Capability.DELETE)}
        return render(request, "instances/instance_delete.html", context)
    try:
        services.delete_instance(
            instance, keep_engine_session=request.POST.get("keep_engine_session") == "on"
        )
    except services.InstanceInUseError:
        messages.error(
            request,
            f"{instance.name} has messages in its history and cannot be deleted. Stop it instead.",
        )
        return redirect(instance)
    except EngineError as exc:
        messages.error(
            request,
            f"The engine could not delete the session: {exc.message} "
            "Tick “only remove it from Switchboard” to delete it here anyway.",
        )
        return redirect("instances:delete", pk=instance.pk)
    messages.success(request, f"Deleted {instance.name}.")
    return redirect("instances:list")


def _get_engine_queue_instance(request, pk: int) -> Instance:
    instance = _get_instance_for_user(request, pk)
    if not instance.supports(Capability.ENGINE_QUEUE):
        raise Http404(f"{instance.engine_class.label} keeps no queue of its own.")
    return instance


@require(Ability.MANAGE_INSTANCES)
@never_cache
@require_GET
def instance_engine_queue(request, pk: int):
    """What waits in the gateway's own outbound queue (chat-api), asked for on each visit."""
    instance = _get_engine_queue_instance(request, pk)
    context = {"instance": instance, "queue": None, "error": ""}
    try:
        context["queue"] = services.engine_queue(instance)
    except EngineError as exc:
        context["error"] = f"Could not read the engine's queue: {exc.message}"
    return render(request, "instances/engine_queue.html", context)


@require(Ability.MANAGE_INSTANCES)
@require_http_methods(["GET", "POST"])
def instance_clear_engine_queue(request, pk: int):
    """GET asks for confirmation; POST drops everything waiting on the gateway."""
    instance = _get_engine_queue_instance(request, pk)
    if request.method == "GET":
        return render(request, "instances/engine_queue_clear.html", {"instance": instance})
    try:
        cleared = services.clear_engine_queue(instance)
    except EngineError as exc:
        messages.error(request, f"Could not clear the engine's queue: {exc.message}")
    else:
        messages.success(request, f"Cleared {cleared} messages from the engine's queue.")
    return redirect("instances:engine_queue", pk=instance.pk)


@require(Ability.MANAGE_INSTANCES)
@require_POST
def instance_refresh(request, pk: int):
    """Ask the engine for the status now instead of waiting for the next poll."""
    instance = _get_instance_for_user(request, pk)
    before = instance.get_status_display()
    poll = services.poll_status(instance)
    now = InstanceStatus(poll.status).label
    if poll.error:
        messages.error(request, f"Could not get the status from the engine: {poll.error}")
    elif poll.changed:
        messages.success(request, f"Status changed from {before} to {now}.")
    else:
        messages.success(request, f"Status unchanged: {now}.")
    return redirect(instance)


@require(Ability.MANAGE_INSTANCES)
@require_http_methods(["GET", "POST"])
def instance_queue_settings(request, pk: int):
    """How fast and when the instance sends; applies from its next message."""
    instance = _get_instance_for_user(request, pk)
    form = QueueSettingsForm(
        request.POST or None,
        instance=queue_settings(instance),
        paused_by=request.user.get_username(),
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Saved the sending pace of {instance.name}.")
        return redirect(instance)
    return render(request, "instances/queue_settings.html", {"form": form, "instance": instance})

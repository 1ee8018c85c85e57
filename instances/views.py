from __future__ import annotations

import base64

import segno
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, ProtectedError, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import Ability, require
from instances import services
from instances.engines.base import Capability, EngineError
from instances.forms import InstanceForm, PairingCodeForm
from instances.models import PENDING_OUTBOUND, Instance, InstanceStatus
from instances.services import Action

HISTORY_LENGTH = 15


def _get_instance_for_user(request, pk: int) -> Instance:
    """Every role that may see instances sees all of them; the decorator checked the role."""
    return get_object_or_404(Instance, pk=pk)


def _instances_with_queue_depth():
    return Instance.objects.annotate(
        queue_depth=Count("outbound", filter=Q(outbound__status__in=PENDING_OUTBOUND))
    ).order_by("name")


@require(Ability.VIEW_INSTANCES)
@require_GET
def instance_list(request):
    page = Paginator(_instances_with_queue_depth(), 25).get_page(request.GET.get("page"))
    template = "instances/instance_list.html"
    if request.htmx:
        template += "#rows"
    return render(request, template, {"page": page})


@require(Ability.MANAGE_INSTANCES)
@require_http_methods(["GET", "POST"])
def instance_create(request):
    form = InstanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        instance = form.save()
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
        messages.success(request, f"Saved {instance.name}.")
        return redirect(instance)
    return render(request, "instances/instance_form.html", {"form": form, "instance": instance})


@require(Ability.MANAGE_INSTANCES)
@require_POST
def instance_test_connection(request, pk: int | None = None):
    """Try the settings in the form, saved or not, and say plainly what happened."""
    saved = _get_instance_for_user(request, pk) if pk else None
    form = InstanceForm(request.POST, instance=saved)
    if not form.is_valid():
        problems = "; ".join(
            f"{form.fields[name].label if name in form.fields else 'form'}: {errors[0]}"
            for name, errors in form.errors.items()
        )
        result = {"ok": False, "message": f"Fix the form first. {problems}"}
    else:
        candidate = form.save(commit=False)
        try:
            state = services.test_connection(candidate)
        except EngineError as exc:
            result = {"ok": False, "message": exc.message}
        else:
            result = {
                "ok": True,
                "message": f"Connected and authenticated. Session {candidate.session_name!r} "
                f"is {state.raw_status or state.status}.",
            }
    context = {"form": form, "instance": saved, "connection": result}
    template = "instances/instance_form.html"
    if request.htmx:
        template += "#connection-result"
    return render(request, template, context)


@require(Ability.VIEW_INSTANCES)
@require_GET
def instance_detail(request, pk: int):
    instance = _get_instance_for_user(request, pk)
    context = {
        "instance": instance,
        "history": instance.status_changes.all()[:HISTORY_LENGTH],
        "actions": [
            action
            for action in Action
            if action is not Action.DELETE and instance.supports(action.capability)
        ],
        "pairing_form": PairingCodeForm(),
        "capability": {c.value: instance.supports(c) for c in Capability},
    }
    template = "instances/instance_detail.html"
    if request.htmx:
        template += "#status-panel"
    return render(request, template, context)


@require(Ability.MANAGE_INSTANCES)
@never_cache
@require_GET
def instance_qr(request, pk: int):
    """The QR panel: the current code while the session waits for a scan, else a short note."""
    instance = _get_instance_for_user(request, pk)
    context = {"instance": instance, "qr_src": "", "error": ""}
    if instance.status == InstanceStatus.SCAN_QR_CODE and instance.supports(Capability.QR):
        try:
            context["qr_src"] = _qr_data_uri(services.fetch_qr(instance))
        except EngineError as exc:
            context["error"] = exc.message
    return render(request, "instances/instance_detail.html#qr-panel", context)


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
    instance = _get_instance_for_user(request, pk)
    if not instance.supports(Capability.SCREENSHOT):
        raise Http404("This engine cannot take screenshots.")
    try:
        shot = services.take_screenshot(instance)
    except EngineError as exc:
        return HttpResponse(exc.message, status=502, content_type="text/plain; charset=utf-8")
    return HttpResponse(shot.content, content_type=shot.mimetype)


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
        services.perform_action(instance, action)
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
    engine_only_here = request.POST.get("keep_engine_session") == "on"
    if instance.supports(Capability.DELETE) and not engine_only_here:
        try:
            services.perform_action(instance, Action.DELETE)
        except EngineError as exc:
            messages.error(
                request,
                f"The engine could not delete the session: {exc.message} "
                "Tick “only remove it from Switchboard” to delete it here anyway.",
            )
            return redirect("instances:delete", pk=instance.pk)
    try:
        instance.delete()
    except ProtectedError:
        messages.error(
            request, f"{instance.name} has messages in its history and cannot be deleted."
        )
        return redirect(instance)
    messages.success(request, f"Deleted {instance.name}.")
    return redirect("instances:list")


@require(Ability.MANAGE_INSTANCES)
@require_POST
def instance_refresh(request, pk: int):
    """Ask the engine for the status now instead of waiting for the next poll."""
    instance = _get_instance_for_user(request, pk)
    services.poll_status(instance)
    instance.refresh_from_db()
    if instance.last_error:
        messages.error(request, f"Could not reach the engine: {instance.last_error}")
    return redirect(instance)

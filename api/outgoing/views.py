"""The Webhooks page (admins only): subscribers, their delivery log, and the buttons that
disable, enable, delete, redeliver and send a test event."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import Ability, require
from api.outgoing import services
from api.outgoing.forms import SubscriberForm
from api.outgoing.models import WebhookDelivery, WebhookSubscriber

DELIVERIES_PER_PAGE = 25


def _get_subscriber_for_admin(pk: int) -> WebhookSubscriber:
    return get_object_or_404(WebhookSubscriber, pk=pk)


@require(Ability.MANAGE_WEBHOOKS)
@require_http_methods(["GET"])
def subscriber_list(request):
    subscribers = WebhookSubscriber.objects.annotate(
        last_delivery_at=Max("deliveries__created_at")
    ).order_by("-created_at", "-id")
    page = Paginator(subscribers, 25).get_page(request.GET.get("page"))
    return render(request, "api/webhook_list.html", {"page": page, "subscribers": page.object_list})


@require(Ability.MANAGE_WEBHOOKS)
@require_http_methods(["GET", "POST"])
def subscriber_create(request):
    form = SubscriberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        subscriber, secret = services.create_subscriber(
            data["url"],
            data["events"],
            description=data["description"].strip(),
            created_by=request.user,
        )
        # Rendered, not redirected: the secret is shown only in this response.
        return render(
            request, "api/webhook_created.html", {"subscriber": subscriber, "secret": secret}
        )
    return render(request, "api/webhook_form.html", {"form": form})


@require(Ability.MANAGE_WEBHOOKS)
@require_http_methods(["GET"])
def subscriber_detail(request, pk: int):
    subscriber = _get_subscriber_for_admin(pk)
    deliveries = subscriber.deliveries.all()
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {"subscriber": subscriber, "page": page, "deliveries": page.object_list}
    return render(request, "api/webhook_detail.html", context)


@require(Ability.MANAGE_WEBHOOKS)
@require_POST
def subscriber_state(request, pk: int):
    subscriber = _get_subscriber_for_admin(pk)
    if request.POST.get("active") == "on":
        services.enable_subscriber(subscriber)
        messages.success(request, "Webhook enabled; waiting retries go out within a minute.")
    else:
        services.disable_subscriber(subscriber, f"Disabled by {request.user.get_username()}.")
        messages.success(request, "Webhook disabled; it receives nothing until enabled.")
    return redirect("webhooks:detail", subscriber.pk)


@require(Ability.MANAGE_WEBHOOKS)
@require_POST
def subscriber_test(request, pk: int):
    subscriber = _get_subscriber_for_admin(pk)
    try:
        services.send_test_event(subscriber)
    except services.SubscriberRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "A test event is on its way; it shows in the log below.")
    return redirect("webhooks:detail", subscriber.pk)


@require(Ability.MANAGE_WEBHOOKS)
@require_POST
def delivery_redeliver(request, pk: int, delivery_pk: int):
    subscriber = _get_subscriber_for_admin(pk)
    delivery = get_object_or_404(WebhookDelivery, pk=delivery_pk, subscriber=subscriber)
    try:
        services.redeliver(delivery)
    except services.SubscriberRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Delivery queued again with the same body and event id.")
    return redirect("webhooks:detail", subscriber.pk)


@require(Ability.MANAGE_WEBHOOKS)
@require_http_methods(["GET", "POST"])
def subscriber_delete(request, pk: int):
    subscriber = _get_subscriber_for_admin(pk)
    if request.method == "GET":
        return render(request, "api/webhook_delete.html", {"subscriber": subscriber})
    services.delete_subscriber(subscriber)
    messages.success(request, f"Webhook to {subscriber.url} deleted with its delivery log.")
    return redirect("webhooks:list")

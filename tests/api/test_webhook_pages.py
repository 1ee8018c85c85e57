"""The Webhooks page: an admin adds a subscriber (its secret shown once), reads its delivery
log, disables and enables it, redelivers, sends a test event and deletes it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from api.outgoing.models import DeliveryStatus, WebhookDelivery, WebhookSubscriber
from tests.api.webhook_helpers import subscribe

pytestmark = pytest.mark.django_db


def log_row(subscriber, **fields) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        subscriber=subscriber, event="contact.opted_out", body={"data": {}}, **fields
    )


def test_a_new_webhook_shows_its_secret_once(client_for, admin):
    client = client_for(admin)

    page = client.post(
        reverse("webhooks:create"),
        {"url": "https://crm.example/hooks", "events": ["message.received"], "description": "CRM"},
    )

    assert page.status_code == 200
    secret = page.context["secret"]
    assert secret in page.content.decode()
    subscriber = WebhookSubscriber.objects.get()
    assert (subscriber.url, subscriber.events, subscriber.created_by) == (
        "https://crm.example/hooks",
        ["message.received"],
        admin,
    )
    for url in (reverse("webhooks:list"), reverse("webhooks:detail", args=[subscriber.pk])):
        shown = client.get(url).content.decode()
        assert "https://crm.example/hooks" in shown
        assert secret not in shown


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("ftp://crm.example/h", "Only http:// and https:// addresses can receive webhooks."),
        ("", "This field is required."),
    ],
)
def test_a_bad_address_is_refused_on_the_form(client_for, admin, url, error):
    page = client_for(admin).post(reverse("webhooks:create"), {"url": url})

    assert page.status_code == 200
    assert error in page.context["form"].errors["url"]
    assert not WebhookSubscriber.objects.exists()


def test_an_internal_address_is_refused_in_production(client_for, admin, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False

    page = client_for(admin).post(reverse("webhooks:create"), {"url": "http://127.0.0.1:9/h"})

    assert "WEBHOOK_ALLOW_PRIVATE" in page.context["form"].errors["url"][0]
    assert not WebhookSubscriber.objects.exists()


def test_what_a_subscriber_sends_back_is_escaped(client_for, admin):
    subscriber, _ = subscribe(description="<script>alert(1)</script>")
    log_row(subscriber, status=DeliveryStatus.FAILED, error="<img src=x onerror=alert(2)>")

    for url in (reverse("webhooks:list"), reverse("webhooks:detail", args=[subscriber.pk])):
        html = client_for(admin).get(url).content.decode()
        assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html


def test_the_list_costs_the_same_queries_for_many_subscribers(
    client_for, admin, django_assert_max_num_queries
):
    for n in range(30):
        subscriber, _ = subscribe(f"https://crm.example/{n}")
        log_row(subscriber)
    client = client_for(admin)

    with django_assert_max_num_queries(8):
        page = client.get(reverse("webhooks:list"))

    assert page.status_code == 200
    assert len(page.context["subscribers"]) == 25


def test_the_delivery_log_pages_by_25(client_for, admin):
    subscriber, _ = subscribe()
    for _ in range(30):
        log_row(subscriber)
    url = reverse("webhooks:detail", args=[subscriber.pk])

    first = client_for(admin).get(url)
    second = client_for(admin).get(url, {"page": 2})

    assert len(first.context["deliveries"]) == 25
    assert len(second.context["deliveries"]) == 5
    assert "Page 1 of 2" in first.content.decode()


def test_disabling_shows_the_reason_and_enabling_resets_the_failures(client_for, admin):
    subscriber, _ = subscribe()
    client = client_for(admin)
    url = reverse("webhooks:detail", args=[subscriber.pk])

    client.post(reverse("webhooks:state", args=[subscriber.pk]))

    subscriber.refresh_from_db()
    assert not subscriber.active
    assert "Disabled by ada." in client.get(url).content.decode()

    WebhookSubscriber.objects.filter(pk=subscriber.pk).update(consecutive_failures=20)
    client.post(reverse("webhooks:state", args=[subscriber.pk]), {"active": "on"})

    subscriber.refresh_from_db()
    assert subscriber.active and subscriber.consecutive_failures == 0
    assert subscriber.disabled_reason == ""


def test_the_test_button_queues_a_ping(client_for, admin, django_capture_on_commit_callbacks):
    subscriber, _ = subscribe()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin).post(reverse("webhooks:test", args=[subscriber.pk]))

    assert response.status_code == 302
    delivery = WebhookDelivery.objects.get()
    assert (delivery.event, delivery.status, delivery.body["event"]) == ("ping", "pending", "ping")


def test_redeliver_queues_the_delivery_again(client_for, admin):
    subscriber, _ = subscribe()
    delivery = log_row(subscriber, status=DeliveryStatus.GAVE_UP, attempts=8, error="Timed out")

    response = client_for(admin).post(
        reverse("webhooks:redeliver", args=[subscriber.pk, delivery.pk])
    )

    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.error) == ("pending", 0, "")


def test_redeliver_of_another_subscribers_delivery_is_not_found(client_for, admin):
    mine, _ = subscribe()
    other, _ = subscribe("https://other.example/h")
    delivery = log_row(other, status=DeliveryStatus.GAVE_UP)

    response = client_for(admin).post(reverse("webhooks:redeliver", args=[mine.pk, delivery.pk]))

    assert response.status_code == 404
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.GAVE_UP


def test_redeliver_to_a_disabled_subscriber_says_to_enable_it(client_for, admin):
    subscriber, _ = subscribe()
    WebhookSubscriber.objects.filter(pk=subscriber.pk).update(active=False)
    delivery = log_row(subscriber, status=DeliveryStatus.GAVE_UP)

    response = client_for(admin).post(
        reverse("webhooks:redeliver", args=[subscriber.pk, delivery.pk]), follow=True
    )

    assert "enable it first" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.GAVE_UP


def test_delete_asks_first_then_deletes_with_the_log(client_for, admin):
    subscriber, _ = subscribe()
    log_row(subscriber)
    client = client_for(admin)
    url = reverse("webhooks:delete", args=[subscriber.pk])

    confirm = client.get(url)
    assert "Delete this webhook?" in confirm.content.decode()
    assert WebhookSubscriber.objects.exists()

    response = client.post(url)

    assert response.status_code == 302
    assert not WebhookSubscriber.objects.exists()
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize("name", ["webhooks:state", "webhooks:test"])
def test_buttons_take_only_posts(client_for, admin, name):
    subscriber, _ = subscribe()

    response = client_for(admin).get(reverse(name, args=[subscriber.pk]))

    assert response.status_code == 405


def test_the_nav_link_shows_for_admins_only(client_for, admin, operator):
    link = f'href="{reverse("webhooks:list")}"'

    assert link in client_for(admin).get(reverse("home"), follow=True).content.decode()
    assert link not in client_for(operator).get(reverse("home"), follow=True).content.decode()

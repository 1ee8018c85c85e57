"""Subscribers and their deliveries for the outgoing webhook tests."""

from __future__ import annotations

from api.outgoing.models import WebhookDelivery
from api.outgoing.services import create_subscriber


def subscribe(url: str = "https://crm.example/hooks", events=(), **kwargs):
    """A new subscriber and its secret."""
    return create_subscriber(url, events, **kwargs)


def bodies(event: str) -> list[dict]:
    return [delivery.body for delivery in WebhookDelivery.objects.filter(event=event)]


def data_of(event: str) -> list[dict]:
    return [body["data"] for body in bodies(event)]

"""`/webhooks`: seed 002's list, create and delete of outgoing webhook subscribers.

Admin keys only, reading included: a subscriber's URL often carries the receiver's own token
(Zapier, n8n), so it is as private as the key that made it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from accounts.roles import Ability
from api import schemas
from api.auth import require_ability
from api.envelope import ApiError, Code, success
from api.outgoing import services
from api.outgoing.addresses import AddressRefused
from api.outgoing.models import SUBSCRIBABLE, WebhookSubscriber
from api.pagination import PageQuery, Pagination, page_of

router = Router(tags=["Webhooks"])


class WebhookIn(Schema):
    url: str = Field(..., max_length=2000, description="An http(s) address that takes POSTs.")
    events: list[str] = Field(
        default_factory=list,
        max_length=len(SUBSCRIBABLE),
        description="Events to receive: " + ", ".join(SUBSCRIBABLE) + ". Empty: all of them.",
    )
    description: str = Field("", max_length=200)


class WebhookOut(Schema):
    id: str
    url: str
    events: list[str]
    description: str
    active: bool
    disabledReason: str | None
    consecutiveFailures: int
    createdAt: datetime


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(..., description="Verifies X-Switchboard-Signature; shown only now.")


class WebhookEnvelope(Schema):
    success: bool = True
    data: WebhookCreatedOut
    meta: schemas.Meta


class WebhookListEnvelope(Schema):
    success: bool = True
    data: list[WebhookOut]
    meta: Pagination


def webhook_data(subscriber: WebhookSubscriber) -> dict[str, Any]:
    return {
        "id": str(subscriber.pk),
        "url": subscriber.url,
        "events": subscriber.events or list(SUBSCRIBABLE),
        "description": subscriber.description,
        "active": subscriber.active,
        "disabledReason": subscriber.disabled_reason or None,
        "consecutiveFailures": subscriber.consecutive_failures,
        "createdAt": subscriber.created_at,
    }


@router.get(
    "",
    response=schemas.answers(200, WebhookListEnvelope, 403),
    summary="List the webhook subscribers",
)
def list_webhooks(request: HttpRequest, query: Query[PageQuery]):
    require_ability(request, Ability.MANAGE_WEBHOOKS)
    items, place = page_of(WebhookSubscriber.objects.all(), query)
    return success([webhook_data(subscriber) for subscriber in items], **place)


@router.post(
    "",
    response=schemas.answers(201, WebhookEnvelope, 403),
    summary="Create a webhook subscriber (its secret is returned once)",
)
def create_webhook(request: HttpRequest, body: WebhookIn):
    key = require_ability(request, Ability.MANAGE_WEBHOOKS)
    try:
        subscriber, secret = services.create_subscriber(
            body.url.strip(),
            body.events,
            description=body.description.strip(),
            created_by=key.created_by,
        )
    except (AddressRefused, services.SubscriberRefused) as exc:
        field = "url" if isinstance(exc, AddressRefused) else "events"
        raise ApiError(
            Code.VALIDATION_ERROR, f"{field}: {exc}", details={field: [str(exc)]}
        ) from None
    return Status(201, success({**webhook_data(subscriber), "secret": secret}))


@router.delete(
    "/{webhook_id}",
    response=schemas.answers(200, schemas.DeletedEnvelope, 403, 404),
    summary="Delete a webhook subscriber and its delivery log",
)
def delete_webhook(request: HttpRequest, webhook_id: str):
    require_ability(request, Ability.MANAGE_WEBHOOKS)
    subscriber = None
    if webhook_id.isdigit() and len(webhook_id) <= 18:
        subscriber = WebhookSubscriber.objects.filter(pk=int(webhook_id)).first()
    if subscriber is None:
        raise ApiError(Code.NOT_FOUND, f"No webhook with id {webhook_id[:64]!r}.")
    services.delete_subscriber(subscriber)
    return success({"id": webhook_id, "deleted": True})

"""Who may open what: one table over every URL, checked for every role and for visitors."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from campaigns.models import Campaign, Contact, ContactImport, NumberCheck, SavedFilter
from instances.models import Instance, OutboundMessage
from tests.refused_address import REFUSED_URL

pytestmark = pytest.mark.django_db

ADMIN, OPERATOR, AGENT = "admin", "operator", "agent"
EVERYONE = {ADMIN, OPERATOR, AGENT, "outsider"}

# (url name, needs an instance, method, roles allowed). Everything else answers 403.
ACCESS = [
    ("home", False, "get", EVERYONE),
    ("accounts:password_change", False, "get", EVERYONE),
    ("accounts:team", False, "get", {ADMIN}),
    ("accounts:member_add", False, "get", {ADMIN}),
    ("accounts:member_edit", "user", "get", {ADMIN}),
    ("accounts:member_password", "user", "get", {ADMIN}),
    ("contacts:list", False, "get", {ADMIN, OPERATOR}),
    ("contacts:create", False, "get", {ADMIN, OPERATOR}),
    ("contacts:edit", "contact", "get", {ADMIN, OPERATOR}),
    ("contacts:opt", "contact", "post", {ADMIN, OPERATOR}),
    ("contacts:bulk", False, "get", {ADMIN, OPERATOR}),
    ("contacts:export", False, "get", {ADMIN, OPERATOR}),
    ("contacts:import", False, "get", {ADMIN, OPERATOR}),
    ("contacts:import_detail", "contact_import", "get", {ADMIN, OPERATOR}),
    ("contacts:import_resume", "contact_import", "post", {ADMIN, OPERATOR}),
    ("contacts:import_errors", "contact_import", "get", {ADMIN, OPERATOR}),
    ("contacts:check", False, "get", {ADMIN, OPERATOR}),
    ("contacts:check_detail", "number_check", "get", {ADMIN, OPERATOR}),
    ("contacts:check_stop", "number_check", "post", {ADMIN, OPERATOR}),
    ("contacts:filters", False, "get", {ADMIN, OPERATOR}),
    ("contacts:filter_save", False, "post", {ADMIN, OPERATOR}),
    ("contacts:filter_rename", "saved_filter", "get", {ADMIN, OPERATOR}),
    ("contacts:filter_delete", "saved_filter", "get", {ADMIN, OPERATOR}),
    ("campaigns:list", False, "get", {ADMIN, OPERATOR}),
    ("inbox:list", False, "get", {ADMIN, AGENT}),
    ("inbox:chat", "chat", "get", {ADMIN, AGENT}),
    ("inbox:thread", "chat", "get", {ADMIN, AGENT}),
    ("inbox:side_panel", "chat", "get", {ADMIN, AGENT}),
    ("inbox:reply", "chat", "post", {ADMIN, AGENT}),
    ("inbox:quote", "chat_message", "get", {ADMIN, AGENT}),
    ("inbox:react", "chat_message", "post", {ADMIN, AGENT}),
    ("inbox:assign", "chat", "post", {ADMIN, AGENT}),
    ("inbox:labels", "chat", "post", {ADMIN, AGENT}),
    ("inbox:note", "chat", "post", {ADMIN, AGENT}),
    ("inbox:action", "chat_action", "post", {ADMIN, AGENT}),
    ("inbox:media", "message_media", "get", {ADMIN, AGENT}),
    ("inbox:media_retry", "message_media", "post", {ADMIN, AGENT}),
    ("inbox:events", False, "get", {ADMIN}),
    ("inbox:event", "event", "get", {ADMIN}),
    ("inbox:reprocess", False, "post", {ADMIN}),
    ("instances:list", False, "get", {ADMIN, OPERATOR}),
    ("instances:detail", True, "get", {ADMIN, OPERATOR}),
    ("instances:create", False, "get", {ADMIN}),
    ("instances:test_connection", False, "post", {ADMIN}),
    ("instances:edit", True, "get", {ADMIN}),
    ("instances:test_connection_saved", True, "post", {ADMIN}),
    ("instances:qr", True, "get", {ADMIN}),
    ("instances:pairing_code", True, "post", {ADMIN}),
    ("instances:screenshot", True, "get", {ADMIN}),
    ("instances:refresh", True, "post", {ADMIN}),
    ("instances:delete", True, "get", {ADMIN}),
    ("instances:queue_settings", True, "get", {ADMIN}),
    ("instances:action", "action", "get", {ADMIN}),
    ("instances:engine_queue", True, "get", {ADMIN}),
    ("instances:clear_engine_queue", True, "get", {ADMIN}),
    ("messages:list", False, "get", {ADMIN, OPERATOR}),
    ("messages:compose", False, "get", {ADMIN, OPERATOR}),
    ("messages:detail", "message", "get", {ADMIN, OPERATOR}),
    ("messages:action", "message_action", "get", {ADMIN, OPERATOR}),
    ("messages:resume", True, "post", {ADMIN, OPERATOR}),
    ("messages:retry_failed", True, "get", {ADMIN, OPERATOR}),
    ("messages:clear_queue", True, "get", {ADMIN, OPERATOR}),
    ("campaigns:create", False, "get", {ADMIN, OPERATOR}),
    ("campaigns:preview", False, "post", {ADMIN, OPERATOR}),
    ("campaigns:detail", "campaign", "get", {ADMIN, OPERATOR}),
    ("campaigns:edit", "campaign", "get", {ADMIN, OPERATOR}),
    ("campaigns:schedule", "campaign", "get", {ADMIN, OPERATOR}),
    ("campaigns:recipients_add", "campaign", "get", {ADMIN, OPERATOR}),
    ("campaigns:recipients_remove", "campaign", "get", {ADMIN, OPERATOR}),
    ("campaigns:recipients_export", "campaign", "get", {ADMIN, OPERATOR}),
    ("campaigns:action", "campaign_action", "get", {ADMIN, OPERATOR}),
    ("api_keys:list", False, "get", {ADMIN}),
    ("api_keys:create", False, "get", {ADMIN}),
    ("api_keys:revoke", "api_key", "get", {ADMIN}),
    ("webhooks:list", False, "get", {ADMIN}),
    ("webhooks:create", False, "get", {ADMIN}),
    ("webhooks:detail", "webhook", "get", {ADMIN}),
    ("webhooks:state", "webhook", "post", {ADMIN}),
    ("webhooks:test", "webhook", "post", {ADMIN}),
    ("webhooks:delete", "webhook", "get", {ADMIN}),
    ("webhooks:redeliver", "webhook_delivery", "post", {ADMIN}),
]

# Reachable without a role: sign-in pages, the health probe, webhooks (signed) and the admin
# (which has its own staff check, tested by Django).
PUBLIC = {
    "accounts:login",
    "accounts:logout",
    "accounts:password_done",
    "healthz",
    "hooks:receive",
    "hooks:receive_with_token",
    # Outbound media: fetched by the gateway through a signed, expiring link.
    "messages:media",
}
# The REST API authenticates API keys, not sessions; tests/api checks its roles.
API_NAMESPACES = {"api", "api_root"}


@pytest.fixture
def instance(db):
    # Port 9 (discard) refuses connections: actions fail fast with a plain message.
    return Instance.objects.create(
        name="Sales",
        engine="waha",
        base_url=REFUSED_URL,
        session_name="default",
        api_key="k",
    )


def url_for(name: str, needs, instance, admin) -> str:
    """A URL of the table's row, with whatever object it needs made on the way."""
    if needs == "user":
        return reverse(name, args=[admin.pk])
    if needs == "api_key":
        from api.services import create_api_key

        return reverse(name, args=[create_api_key("CRM", "operator")[0].pk])
    if needs in ("webhook", "webhook_delivery"):
        return webhook_url(name, needs)
    if needs == "action":
        return reverse(name, args=[instance.pk, "logout"])
    if needs in ("message", "message_action"):
        message = OutboundMessage.objects.create(instance=instance, chat_id="1@c.us", kind="text")
        return reverse(
            name, args=[message.pk, "cancel"] if needs == "message_action" else [message.pk]
        )
    if needs in INBOX_NEEDS:
        return inbox_url(name, needs, instance)
    if needs in CONTACT_OBJECTS:
        return reverse(name, args=[CONTACT_OBJECTS[needs](instance).pk])
    if needs in ("campaign", "campaign_action"):
        campaign = Campaign.objects.create(name="Spring sale")
        return reverse(
            name, args=[campaign.pk, "pause"] if needs == "campaign_action" else [campaign.pk]
        )
    return reverse(name, args=[instance.pk]) if needs else reverse(name)


CONTACT_OBJECTS = {
    "contact": lambda instance: Contact.objects.create(phone="+4915123456789"),
    "contact_import": lambda instance: ContactImport.objects.create(
        original_name="c.csv", kind="csv", columns=["phone"], mapping=["phone"]
    ),
    "number_check": lambda instance: NumberCheck.objects.create(instance=instance),
    "saved_filter": lambda instance: SavedFilter.objects.create(name="VIPs", search="a"),
}


def webhook_url(name: str, needs: str) -> str:
    from api.outgoing.models import WebhookDelivery
    from api.outgoing.services import create_subscriber

    subscriber, _ = create_subscriber("https://crm.example/hooks")
    if needs == "webhook":
        return reverse(name, args=[subscriber.pk])
    delivery = WebhookDelivery.objects.create(subscriber=subscriber, event="ping", body={})
    return reverse(name, args=[subscriber.pk, delivery.pk])


INBOX_NEEDS = {"chat", "chat_message", "chat_action", "message_media", "event"}


def inbox_url(name: str, needs: str, instance) -> str:
    from inbox.models import Chat, ConversationMessage, WebhookEvent

    chat = Chat.objects.create(instance=instance, chat_id="4917612345678@c.us")
    message = ConversationMessage.objects.create(
        chat=chat, direction="in", provider_id="false_4917612345678@c.us_A", body="Hi"
    )
    if needs == "chat":
        return reverse(name, args=[chat.pk])
    if needs == "chat_message":
        return reverse(name, args=[chat.pk, message.pk])
    if needs == "chat_action":
        return reverse(name, args=[chat.pk, "take"])
    if needs == "message_media":
        return reverse(name, args=[message.pk])
    event = WebhookEvent.objects.create(
        instance=instance, event_id="evt_1", event="message", kind="message", payload={}
    )
    return reverse(name, args=[event.pk])


def _all_url_names(resolver=None, namespace: str = "") -> set[str]:
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _all_url_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(namespace + entry.name)
    return names


def test_every_url_is_in_the_access_table():
    covered = {name for name, *_ in ACCESS} | PUBLIC
    names = {name for name in _all_url_names() if name.split(":")[0] not in API_NAMESPACES}
    assert names - covered == set()


@pytest.mark.parametrize(
    ("name", "needs", "method", "allowed"), ACCESS, ids=[row[0] for row in ACCESS]
)
def test_anonymous_visitors_are_sent_to_sign_in(
    client, instance, admin, name, needs, method, allowed
):
    url = url_for(name, needs, instance, admin)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("name", "needs", "method", "allowed"), ACCESS, ids=[row[0] for row in ACCESS]
)
@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_each_role_gets_exactly_what_it_may(
    client, request, instance, admin, role, name, needs, method, allowed
):
    client.force_login(request.getfixturevalue(role))
    url = url_for(name, needs, instance, admin)
    response = getattr(client, method)(url)
    if role in allowed:
        assert response.status_code not in (403, 500), response.status_code
        assert not response.get("Location", "").startswith(reverse("accounts:login"))
    else:
        assert response.status_code == 403

"""The home page's cards: one per area the user may open, with a count and a next step."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.urls import reverse

from accounts.roles import Ability, can
from instances.models import Instance, InstanceStatus, QueueSettings
from instances.outbound.overview import overviews, with_queue_counts


@dataclass(frozen=True)
class Card:
    title: str
    url: str
    count: int | None
    detail: str
    empty_hint: str


def _instances_card() -> Card:
    counts = Instance.objects.aggregate(
        total=Count("pk"), working=Count("pk", filter=Q(status=InstanceStatus.WORKING))
    )
    queues = overviews(with_queue_counts(Instance.objects.all())).values()
    queued = sum(queue.depth for queue in queues)
    sent = sum(queue.sent_today for queue in queues)
    cap = sum(queue.cap for queue in queues)
    return Card(
        "Instances",
        reverse("instances:list"),
        counts["total"],
        f"{counts['working']} working · {queued} queued · {sent} of {cap} sent today",
        "Add an instance to link a WhatsApp number.",
    )


def paused_queues(user) -> list[QueueSettings]:
    """Instances whose sending is paused, with the reason, for those who may see instances."""
    if not can(user, Ability.VIEW_INSTANCES):
        return []
    return list(
        QueueSettings.objects.filter(paused=True).select_related("instance").order_by("instance")
    )


def _team_card() -> Card:
    members = get_user_model().objects.filter(is_active=True).count()
    return Card(
        "Team",
        reverse("accounts:team"),
        members,
        "active members",
        "Add team members and give each a role.",
    )


def dashboard_cards(user) -> list[Card]:
    cards = []
    if can(user, Ability.VIEW_INSTANCES):
        cards.append(_instances_card())
    if can(user, Ability.MANAGE_CONTACTS):
        cards.append(
            Card(
                "Contacts",
                reverse("contacts:list"),
                None,
                "",
                "Contact import arrives with the campaigns module.",
            )
        )
    if can(user, Ability.MANAGE_CAMPAIGNS):
        cards.append(
            Card(
                "Campaigns",
                reverse("campaigns:list"),
                None,
                "",
                "Bulk campaigns arrive with the campaigns module.",
            )
        )
    if can(user, Ability.USE_INBOX):
        cards.append(
            Card(
                "Inbox",
                reverse("inbox:list"),
                None,
                "",
                "Conversations appear here once an instance receives messages.",
            )
        )
    if can(user, Ability.MANAGE_TEAM):
        cards.append(_team_card())
    return cards

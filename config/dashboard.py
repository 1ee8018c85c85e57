"""The home page's cards: one per area the user may open, with a count and a next step."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.urls import reverse

from accounts.roles import Ability, can
from campaigns.models import Campaign, CampaignStatus, Contact
from inbox.models import Chat
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


def _contacts_card() -> Card:
    counts = Contact.objects.aggregate(
        total=Count("pk"), opted_out=Count("pk", filter=Q(opted_out=True))
    )
    return Card(
        "Contacts",
        reverse("contacts:list"),
        counts["total"],
        f"{counts['opted_out']} opted out",
        "Import contacts from a CSV or Excel file, or add them one by one.",
    )


def _campaigns_card() -> Card:
    counts = Campaign.objects.aggregate(
        total=Count("pk"),
        running=Count("pk", filter=Q(status=CampaignStatus.RUNNING)),
        scheduled=Count("pk", filter=Q(status=CampaignStatus.SCHEDULED)),
    )
    return Card(
        "Campaigns",
        reverse("campaigns:list"),
        counts["total"],
        f"{counts['running']} running · {counts['scheduled']} scheduled",
        "Create a campaign to message your contacts from one or more numbers.",
    )


def _inbox_card(user) -> Card:
    open_chats = Chat.objects.filter(state=Chat.State.OPEN)
    counts = open_chats.aggregate(
        total=Count("pk"),
        unread=Count("pk", filter=Q(unread_count__gt=0)),
        mine=Count("pk", filter=Q(assignee=user)),
    )
    return Card(
        "Inbox",
        reverse("inbox:list"),
        counts["total"],
        f"open conversations · {counts['unread']} unread · {counts['mine']} assigned to you",
        "Conversations appear here once an instance receives messages.",
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
        cards.append(_contacts_card())
    if can(user, Ability.MANAGE_CAMPAIGNS):
        cards.append(_campaigns_card())
    if can(user, Ability.USE_INBOX):
        cards.append(_inbox_card(user))
    if can(user, Ability.MANAGE_TEAM):
        cards.append(_team_card())
    return cards

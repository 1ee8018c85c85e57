"""The home page's cards: one per area the user may open, with a count and a next step."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.roles import Ability, can


@dataclass(frozen=True)
class Card:
    title: str
    url: str
    count: int | None
    detail: str
    empty_hint: str


def dashboard_cards(user) -> list[Card]:
    cards = []
    if can(user, Ability.VIEW_INSTANCES):
        cards.append(
            Card(
                "Instances",
                reverse("instances:list"),
                0,
                "linked numbers",
                "Add an instance to link a WhatsApp number.",
            )
        )
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
        members = get_user_model().objects.filter(is_active=True).count()
        cards.append(
            Card(
                "Team",
                reverse("accounts:team"),
                members,
                "active members",
                "Add team members and give each a role.",
            )
        )
    return cards

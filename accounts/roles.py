"""What each role may do: the one place every view asks.

Roles are Django groups (created by a data migration). A superuser counts as an admin.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    OPERATOR = "operator", "Operator"
    AGENT = "agent", "Agent"


class Ability(models.TextChoices):
    VIEW_INSTANCES = "view_instances"
    MANAGE_INSTANCES = "manage_instances"
    VIEW_CONTACTS = "view_contacts"
    MANAGE_CONTACTS = "manage_contacts"
    VIEW_CAMPAIGNS = "view_campaigns"
    MANAGE_CAMPAIGNS = "manage_campaigns"
    SEND_MESSAGES = "send_messages"
    USE_INBOX = "use_inbox"
    MANAGE_TEAM = "manage_team"
    MANAGE_API_KEYS = "manage_api_keys"
    MANAGE_WEBHOOKS = "manage_webhooks"


ABILITIES: dict[Role, frozenset[Ability]] = {
    Role.ADMIN: frozenset(Ability),
    Role.OPERATOR: frozenset(
        {
            Ability.VIEW_INSTANCES,
            Ability.VIEW_CONTACTS,
            Ability.MANAGE_CONTACTS,
            Ability.VIEW_CAMPAIGNS,
            Ability.MANAGE_CAMPAIGNS,
            Ability.SEND_MESSAGES,
        }
    ),
    Role.AGENT: frozenset({Ability.USE_INBOX}),
}


def role_of(user) -> Role | None:
    """The user's role, the strongest one when several groups are set; None for no role."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    if not hasattr(user, "_switchboard_role"):
        # groups.all() uses a prefetch when the caller made one (list pages).
        names = {group.name for group in user.groups.all()}
        user._switchboard_role = next((role for role in Role if role.value in names), None)
    return user._switchboard_role


class KeyRole(models.TextChoices):
    """What an API key may do: the abilities of the dashboard role of the same level."""

    ADMIN = "admin", "Admin"
    OPERATOR = "operator", "Operator"
    READ_ONLY = "read_only", "Read-only"


KEY_ABILITIES: dict[KeyRole, frozenset[Ability]] = {
    KeyRole.ADMIN: ABILITIES[Role.ADMIN],
    KeyRole.OPERATOR: ABILITIES[Role.OPERATOR],
    # Reads what an operator reads (instances, messages, contacts, batches), changes nothing.
    KeyRole.READ_ONLY: frozenset(
        {Ability.VIEW_INSTANCES, Ability.VIEW_CONTACTS, Ability.VIEW_CAMPAIGNS}
    ),
}


def can_role(role: Role | KeyRole | str | None, ability: Ability) -> bool:
    """The one decision: may a dashboard role (or an API key's role) do this?"""
    if isinstance(role, KeyRole):
        return ability in KEY_ABILITIES[role]
    if role is None or role not in Role.values:
        return False
    return ability in ABILITIES[Role(role)]


def can(user, ability: Ability) -> bool:
    return can_role(role_of(user) if user.is_active else None, ability)


def require(ability: Ability) -> Callable:
    """View decorator: login first, then the ability, else 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not can(request.user, ability):
                raise PermissionDenied(f"Your role may not {ability.label.lower()}.")
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator

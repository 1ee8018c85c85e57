"""Team membership actions, with the team's rules, for views, commands and the API alike."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from accounts.roles import Role


class TeamRuleError(Exception):
    """An action the team's rules forbid; the message says why, in words for the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@transaction.atomic
def set_role(user, role: Role) -> None:
    """Give the user exactly one role group."""
    role_groups = Group.objects.filter(name__in=Role.values)
    user.groups.remove(*role_groups)
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    # Admins may do everything, the Django admin (and the task queue's pages) included.
    user.is_staff = user.is_superuser = role == Role.ADMIN
    user.save(update_fields=["is_staff", "is_superuser"])
    if hasattr(user, "_switchboard_role"):
        del user._switchboard_role


@transaction.atomic
def add_member(
    *,
    username: str,
    password: str,
    role: Role,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
) -> AbstractUser:
    """Create a member and give them their role: both happen, or neither.

    Raises django's ValidationError for a taken or malformed username, a malformed email
    address or a weak password.
    """
    member = get_user_model()(
        username=username, email=email, first_name=first_name, last_name=last_name
    )
    validate_password(password, member)
    member.set_password(password)
    member.full_clean()
    member.save()
    set_role(member, role)
    return member


@transaction.atomic
def update_member(
    member,
    *,
    acting_user,
    role: Role,
    is_active: bool,
    email: str,
    first_name: str,
    last_name: str,
) -> None:
    """Change a member's details, role and access. An admin cannot lock themselves out."""
    if member.pk == acting_user.pk and (not is_active or role != Role.ADMIN):
        raise TeamRuleError("You cannot deactivate yourself or give up your own admin role.")
    member.email, member.first_name, member.last_name = email, first_name, last_name
    member.is_active = is_active
    member.save(update_fields=["email", "first_name", "last_name", "is_active"])
    set_role(member, role)


def reset_password(member, *, acting_user, password: str) -> None:
    """Give a member a new password; their open sessions end with the old one.

    Raises django's ValidationError for a weak password.
    """
    if member.pk == acting_user.pk:
        # Setting it here would skip the check of the current password.
        raise TeamRuleError("Change your own password on the Password page.")
    validate_password(password, member)
    member.set_password(password)
    member.save(update_fields=["password"])

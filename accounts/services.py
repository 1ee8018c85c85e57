"""Team membership actions."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.roles import Role


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

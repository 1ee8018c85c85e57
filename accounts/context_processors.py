from __future__ import annotations

from accounts.roles import Ability, can, role_of


def role(request) -> dict:
    """The signed-in user's role and a lookup of what it may do, for menus and buttons."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_role": None, "may": {}}
    return {
        "user_role": role_of(user),
        "may": {ability.value: can(user, ability) for ability in Ability},
    }

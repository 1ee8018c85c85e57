"""WhatsApp groups as engines report them (`Capability.GROUPS`), normalized.

Chat ids follow WAHA's forms: a group is `<digits>[-<digits>]@g.us`, a person `<digits>@c.us`
(or `<digits>@lid` where WhatsApp hides the number).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

INVITE_ADDRESS = "https://chat.whatsapp.com/"
# The `code` of the NotFoundError an engine raises for a group it does not know, which tells
# it apart from an unknown session (both are 404s on WAHA).
NO_SUCH_GROUP = "no_such_group"


class GroupRole(enum.StrEnum):
    # The group's creator; WhatsApp lets nobody demote or remove them.
    SUPERADMIN = "superadmin"
    ADMIN = "admin"
    MEMBER = "member"


@dataclass(frozen=True)
class GroupParticipant:
    id: str
    role: GroupRole = GroupRole.MEMBER

    @property
    def phone(self) -> str:
        """`+<digits>` for a person known by number, "" for a privacy id (`@lid`)."""
        user, _, server = self.id.partition("@")
        return f"+{user}" if server == "c.us" and user.isdigit() else ""


@dataclass(frozen=True)
class GroupInfo:
    id: str
    subject: str = ""
    description: str = ""
    owner: str = ""
    participants: tuple[GroupParticipant, ...] = ()


@dataclass(frozen=True)
class GroupInvite:
    """A group's invite code; anyone with the link can join, so it is shown only on request."""

    code: str

    @property
    def link(self) -> str:
        return INVITE_ADDRESS + self.code

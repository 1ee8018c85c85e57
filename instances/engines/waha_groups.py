"""WAHA's groups API (docs/gateways.md, "WAHA groups"), shared by the waha and wawp engines.

WAHA answers with its internal engine's own objects: NOWEB sends Baileys' group metadata
(`subject`, `desc`, participants `{id: <digits>@s.whatsapp.net, admin: "admin" | "superadmin" |
null}`, the list as an object keyed by group id), WEBJS sends whatsapp-web.js chats (`name`,
`groupMetadata`, ids as `{_serialized}`, participants `{isAdmin, isSuperAdmin}`), and Wawp
documents `name`, `description` and a `role` per participant. The readers below accept each.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

from instances.engines.base import (
    NO_SUCH_GROUP,
    GroupInfo,
    GroupInvite,
    GroupParticipant,
    GroupRole,
    NotFoundError,
    PermanentError,
)
from instances.engines.http import response_json
from instances.engines.waha_webhooks import serialized_id
from instances.phone_numbers import digits_only

_INVITE_CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_ROLES = {
    "superadmin": GroupRole.SUPERADMIN,
    "admin": GroupRole.ADMIN,
    "participant": GroupRole.MEMBER,
    "member": GroupRole.MEMBER,
}


def participant_chat_id(value: str) -> str:
    """`+49 151 ...`, `49151...` or a chat id -> the `<digits>@c.us` form WAHA's bodies take."""
    return value if "@" in value else f"{digits_only(value)}@c.us"


def _person_id(value: Any) -> str:
    # NOWEB names people by their JID (`@s.whatsapp.net`); everything else says `@c.us`.
    found = serialized_id(value)
    user, _, server = found.partition("@")
    return f"{user}@c.us" if server == "s.whatsapp.net" else found


def _role(item: dict[str, Any]) -> GroupRole:
    for key in ("role", "admin"):
        if isinstance(item.get(key), str) and item[key].lower() in _ROLES:
            return _ROLES[item[key].lower()]
    if item.get("isSuperAdmin") is True:
        return GroupRole.SUPERADMIN
    if item.get("isAdmin") is True:
        return GroupRole.ADMIN
    return GroupRole.MEMBER


def read_participants(items: Any) -> tuple[GroupParticipant, ...]:
    if not isinstance(items, list):
        return ()
    found = (
        GroupParticipant(id=_person_id(item.get("id")), role=_role(item))
        for item in items
        if isinstance(item, dict)
    )
    return tuple(participant for participant in found if participant.id)


def _text(data: dict[str, Any], *keys: str) -> str:
    for key in keys:
        if isinstance(data.get(key), str) and data[key]:
            return data[key]
    return ""


def read_group(data: Any) -> GroupInfo | None:
    """One group in any of the shapes above; None for something that is not a group."""
    if not isinstance(data, dict):
        return None
    metadata = data.get("groupMetadata") if isinstance(data.get("groupMetadata"), dict) else {}
    group_id = serialized_id(data.get("id")) or serialized_id(metadata.get("id"))
    if not group_id.endswith("@g.us"):
        return None
    merged = {**metadata, **{key: value for key, value in data.items() if value is not None}}
    participants = metadata.get("participants") or data.get("participants")
    return GroupInfo(
        id=group_id,
        subject=_text(merged, "subject", "name"),
        description=_text(merged, "desc", "description"),
        owner=_person_id(merged.get("owner")),
        participants=read_participants(participants),
    )


def read_groups(data: Any) -> list[GroupInfo]:
    """The list: an array, or (NOWEB) an object keyed by group id."""
    items = data.values() if isinstance(data, dict) else data if isinstance(data, list) else []
    groups = (read_group(item) for item in items)
    return sorted((group for group in groups if group), key=lambda group: group.subject.lower())


def read_invite(response: httpx.Response) -> GroupInvite:
    """WAHA answers the bare code as text (NestJS sends a returned string as it is); Wawp
    documents `{"code": ...}`. A full invite link is cut down to its code."""
    data = response_json(response)
    if isinstance(data, dict):
        data = data.get("code")
    elif not isinstance(data, str):
        data = response.text.strip()
    code = data.rsplit("/", 1)[-1] if isinstance(data, str) else ""
    if not _INVITE_CODE.match(code):
        raise PermanentError("The gateway sent no invite code Switchboard can read.")
    return GroupInvite(code=code)


def refused(response: httpx.Response) -> bool:
    """WEBJS answers `false` when WhatsApp did not apply a subject or description change
    (WAHA's docs: "if the user does not have the necessary permissions")."""
    try:
        return json.loads(response.content or b"null") is False
    except ValueError:
        return False


class WahaGroups:
    """The groups half of an engine speaking WAHA's groups API. Mixed in before `Engine`,
    whose `request` it uses; the engine says where the routes are (`groups_path`)."""

    # Wawp creates at `/v2/groups/create`, WAHA with a POST to the list itself.
    create_path_suffix = ""

    if TYPE_CHECKING:

        def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response: ...

    def groups_path(self) -> str:
        raise NotImplementedError

    def _group_path(self, group_id: str, rest: str) -> str:
        # `@` stays readable, `/` and friends cannot escape the path.
        return f"{self.groups_path()}/{quote(group_id, safe='@')}{rest}"

    def create_group(self, name: str, phones: list[str], text: str = "") -> str:
        if text:
            raise PermanentError(
                "WAHA creates a group without a first message; send it to the group afterwards."
            )
        body = {"name": name, "participants": _participants(phones)}
        response = self.request("POST", self.groups_path() + self.create_path_suffix, json=body)
        data = response_json(response)
        data = data if isinstance(data, dict) else {}
        # NOWEB answers the new group's metadata, WEBJS `{gid: {_serialized}, ...}`.
        return serialized_id(data.get("id")) or serialized_id(data.get("gid"))

    def list_groups(self) -> list[GroupInfo]:
        return read_groups(response_json(self.request("GET", self.groups_path())))

    def group_info(self, group_id: str) -> GroupInfo:
        # NOWEB on WAHA 2024.10 answers an unknown group with 200 and no body.
        group = read_group(response_json(self._on_group("GET", group_id)))
        if group is None:
            raise _no_such_group(group_id)
        if group.participants:
            return group
        # Wawp's group answer carries no participants: they have their own route.
        response = self._on_group("GET", group_id, "/participants")
        return GroupInfo(
            id=group.id,
            subject=group.subject,
            description=group.description,
            owner=group.owner,
            participants=read_participants(response_json(response)),
        )

    def update_group(
        self, group_id: str, *, subject: str | None = None, description: str | None = None
    ) -> None:
        for field, value in (("subject", subject), ("description", description)):
            if value is None:
                continue
            response = self._on_group("PUT", group_id, f"/{field}", json={field: value})
            if refused(response):
                raise PermanentError(
                    f"WhatsApp did not change the group's {field}: this number may not be an "
                    "admin of the group."
                )

    def add_participants(self, group_id: str, participants: list[str]) -> None:
        self._change_participants(group_id, "/participants/add", participants)

    def remove_participants(self, group_id: str, participants: list[str]) -> None:
        self._change_participants(group_id, "/participants/remove", participants)

    def promote_participants(self, group_id: str, participants: list[str]) -> None:
        self._change_participants(group_id, "/admin/promote", participants)

    def demote_participants(self, group_id: str, participants: list[str]) -> None:
        self._change_participants(group_id, "/admin/demote", participants)

    def leave_group(self, group_id: str) -> None:
        self._on_group("POST", group_id, "/leave")

    def group_invite(self, group_id: str) -> GroupInvite:
        return read_invite(self._on_group("GET", group_id, "/invite-code"))

    def _change_participants(self, group_id: str, rest: str, participants: list[str]) -> None:
        body = {"participants": _participants(participants)}
        self._on_group("POST", group_id, rest, json=body)

    def _on_group(
        self, method: str, group_id: str, rest: str = "", **kwargs: Any
    ) -> httpx.Response:
        """A call on one group. A 404 that blames neither the session nor a missing route
        (NestJS's "Cannot GET /api/...") blames the group."""
        try:
            return self.request(method, self._group_path(group_id, rest), **kwargs)
        except NotFoundError as exc:
            if "session" in exc.message.lower() or exc.message.startswith("Cannot "):
                raise
            raise _no_such_group(group_id) from None


def _no_such_group(group_id: str) -> NotFoundError:
    return NotFoundError(
        f"This number is in no group {group_id[:80]}.", status_code=404, code=NO_SUCH_GROUP
    )


def _participants(values: list[str]) -> list[dict[str, str]]:
    return [{"id": participant_chat_id(value)} for value in values]

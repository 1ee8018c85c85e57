"""WAHA's groups API (`/api/{session}/groups/...`), kept in memory per session.

Groups answer as NOWEB does (Baileys' group metadata: `subject`, `desc`, participants as
`<digits>@s.whatsapp.net` with `admin` set to "superadmin", "admin" or null; the list as an
object keyed by group id). Every route needs a WORKING session, like WAHA's
`WorkingSessionParam`. Where real NOWEB answers an unknown group with 200 and no body (a
plain GET), the simulator answers 404 "Group not found" for every route, so the adapter's
not-found path is exercised either way (docs/gateways.md, "WAHA groups").
"""

from __future__ import annotations

import copy
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import bad_request, not_found
from .ids import chat_id_for, digits, jid_for
from .server import Route, route
from .transport import Request, Response, empty_response, json_response
from .validation import require_object

if TYPE_CHECKING:
    from .app import Simulator
    from .sessions import Session

SUPERADMIN, ADMIN = "superadmin", "admin"
_INVITE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


@dataclass
class Group:
    id: str
    subject: str
    owner: str
    created: int
    invite_code: str
    description: str = ""
    # Chat id (`<digits>@c.us`) -> "superadmin", "admin" or None, in the order they joined.
    participants: dict[str, str | None] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "subject": self.subject,
            "subjectOwner": jid_for(self.owner),
            "subjectTime": self.created,
            "creation": self.created,
            "owner": jid_for(self.owner),
            "desc": self.description,
            "restrict": False,
            "announce": False,
            "size": len(self.participants),
            "participants": [
                {"id": jid_for(chat_id), "admin": role}
                for chat_id, role in self.participants.items()
            ],
        }


def _string(body: dict[str, Any], name: str) -> str:
    if not isinstance(body.get(name), str):
        raise bad_request([f"{name} must be a string"])
    return body[name]


def _participant_ids(body: dict[str, Any]) -> list[str]:
    items = body.get("participants")
    if not isinstance(items, list):
        raise bad_request(["participants must be an array"])
    errors = [
        f"participants.{index}.id must be a phone number or a chat id"
        for index, item in enumerate(items)
        if not isinstance(item, dict)
        or not isinstance(item.get("id"), str)
        or not digits(item["id"].partition("@")[0])
    ]
    if errors:
        raise bad_request(errors)
    return [chat_id_for(item["id"]) for item in items]


class GroupsMixin:
    """Needs the attributes and helpers SimulatorState defines; see there."""

    _lock: threading.RLock
    rng: random.Random
    clock: Callable[[], float]

    if TYPE_CHECKING:

        def _working(self, name: str) -> Session: ...

    def create_group(self, name: str, body: Any) -> dict[str, Any]:
        body = require_object(body)
        subject, members = _string(body, "name"), _participant_ids(body)
        with self._lock:
            session = self._working(name)
            me = session.me_id or ""
            group = Group(
                id=f"120363{self.rng.randrange(10**11, 10**12)}@g.us",
                subject=subject,
                owner=me,
                created=int(self.clock()),
                invite_code="".join(self.rng.choice(_INVITE_ALPHABET) for _ in range(22)),
            )
            group.participants[me] = SUPERADMIN
            for member in members:
                group.participants.setdefault(member, None)
            session.groups[group.id] = group
            return group.to_json()

    def list_groups(self, name: str) -> dict[str, Any]:
        with self._lock:
            groups = self._working(name).groups.values()
            return {group.id: group.to_json() for group in groups}

    def group(self, name: str, group_id: str) -> dict[str, Any]:
        with self._lock:
            return self._group(name, group_id).to_json()

    def update_group(self, name: str, group_id: str, field_name: str, body: Any) -> None:
        value = _string(require_object(body), field_name)
        with self._lock:
            group = self._group(name, group_id)
            setattr(group, "subject" if field_name == "subject" else "description", value)

    def change_participants(
        self, name: str, group_id: str, action: str, body: Any
    ) -> list[dict[str, str]]:
        """Baileys' answer: one `{status, jid}` per participant, "200" when it was applied."""
        members = _participant_ids(require_object(body))
        with self._lock:
            group = self._group(name, group_id)
            return [
                {"status": _apply(group, action, member), "jid": jid_for(member)}
                for member in members
            ]

    def leave_group(self, name: str, group_id: str) -> None:
        """The group goes on without this number, and out of its list."""
        with self._lock:
            session = self._working(name)
            group = self._group(name, group_id)
            group.participants.pop(session.me_id or "", None)
            del session.groups[group_id]

    def invite_code(self, name: str, group_id: str) -> str:
        with self._lock:
            return self._group(name, group_id).invite_code

    def groups_of(self, name: str) -> dict[str, Group]:
        """Every group the session is in, for tests."""
        with self._lock:
            return copy.deepcopy(self._working(name).groups)

    def _group(self, name: str, group_id: str) -> Group:
        group = self._working(name).groups.get(group_id)
        if group is None:
            raise not_found("Group not found")
        return group


def _apply(group: Group, action: str, member: str) -> str:
    present = member in group.participants
    if action == "add":
        if present:
            return "409"
        group.participants[member] = None
        return "200"
    if not present:
        return "404"
    if group.participants[member] == SUPERADMIN:
        # Nobody removes or demotes a group's creator.
        return "403"
    if action == "remove":
        del group.participants[member]
    else:
        group.participants[member] = ADMIN if action == "promote" else None
    return "200"


def create(sim: Simulator, request: Request, session: str) -> Response:
    return json_response(201, sim.state.create_group(session, request.json()))


def list_all(sim: Simulator, request: Request, session: str) -> Response:
    return json_response(200, sim.state.list_groups(session))


def get_one(sim: Simulator, request: Request, session: str, group_id: str) -> Response:
    return json_response(200, sim.state.group(session, group_id))


def participants(sim: Simulator, request: Request, session: str, group_id: str) -> Response:
    return json_response(200, sim.state.group(session, group_id)["participants"])


def leave(sim: Simulator, request: Request, session: str, group_id: str) -> Response:
    sim.state.leave_group(session, group_id)
    return empty_response(201)


def invite_code(sim: Simulator, request: Request, session: str, group_id: str) -> Response:
    # NestJS sends a returned string as it is, as text/html.
    code = sim.state.invite_code(session, group_id)
    return Response(200, code.encode(), content_type="text/html; charset=utf-8")


def _update(field_name: str) -> Route:
    def handler(sim: Simulator, request: Request, session: str, group_id: str) -> Response:
        sim.state.update_group(session, group_id, field_name, request.json())
        # Baileys' update returns nothing, which NestJS answers with no body.
        return empty_response(200)

    return route("PUT", f"/api/{{session}}/groups/{{group_id}}/{field_name}", handler)


def _participants(path: str, action: str) -> Route:
    def handler(sim: Simulator, request: Request, session: str, group_id: str) -> Response:
        return json_response(
            201, sim.state.change_participants(session, group_id, action, request.json())
        )

    return route("POST", f"/api/{{session}}/groups/{{group_id}}/{path}", handler)


ROUTES: list[Route] = [
    route("POST", "/api/{session}/groups", create),
    route("GET", "/api/{session}/groups", list_all),
    route("GET", "/api/{session}/groups/{group_id}", get_one),
    _update("subject"),
    _update("description"),
    route("GET", "/api/{session}/groups/{group_id}/participants", participants),
    _participants("participants/add", "add"),
    _participants("participants/remove", "remove"),
    _participants("admin/promote", "promote"),
    _participants("admin/demote", "demote"),
    route("POST", "/api/{session}/groups/{group_id}/leave", leave),
    route("GET", "/api/{session}/groups/{group_id}/invite-code", invite_code),
]

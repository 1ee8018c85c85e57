"""WAHA's JSON as Switchboard reads it: the webhook envelope and the session and message objects.

Shared by the `waha` and `wawp` engines: Wawp is a hosted WAHA and posts WAHA's envelope, but
its documentation shows flatter payloads for three events (docs/gateways.md, "Wawp"). Those are
read first, recognized by their distinctive keys, and WAHA's own shapes are the fallback:

- message.reaction: Wawp `{reaction: "<emoji>", messageId, senderId}`;
  WAHA `{reaction: {text, messageId}, from, participant}`.
- message.revoked: Wawp `{id, revokedBy}`; WAHA `{before, after, revokedMessageId}`.
- message.edited: Wawp `{id, newBody}`; WAHA `{id: <the edit itself>, editedMessageId, body}`.

WAHA's `revokedMessageId` and `editedMessageId` are bare ids (no `true_<chat>_` prefix); they
are completed to the full form every other event uses.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from instances.engines.base import SessionState
from instances.engines.events import (
    Ack,
    AckData,
    EditedData,
    Event,
    EventData,
    EventKind,
    Me,
    Media,
    MessageData,
    ReactionData,
    RevokedData,
    SessionStatus,
    SessionStatusData,
)
from instances.engines.webhook_json import loads_untrusted

EVENT_KINDS: dict[str, EventKind] = {
    "message": EventKind.MESSAGE,
    "message.any": EventKind.MESSAGE,
    "message.ack": EventKind.ACK,
    "message.reaction": EventKind.REACTION,
    "message.revoked": EventKind.REVOKED,
    "message.edited": EventKind.EDITED,
    "session.status": EventKind.SESSION_STATUS,
}

_KNOWN_STATUSES = {status.value for status in SessionStatus} - {SessionStatus.UNKNOWN.value}


def session_status(raw: Any) -> SessionStatus:
    """WAHA's status word; anything newer (PASSKEY_REQUIRED, ...) or malformed is UNKNOWN."""
    known = isinstance(raw, str) and raw in _KNOWN_STATUSES
    return SessionStatus(raw) if known else SessionStatus.UNKNOWN


def read_me(data: Any) -> Me | None:
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        return None
    return Me(id=data["id"], push_name=_text(data.get("pushName")), lid=_text(data.get("lid")))


def session_state(data: Any) -> SessionState:
    """A session object (`{name, status, me, config}`) as a SessionState."""
    if not isinstance(data, dict):
        return SessionState(SessionStatus.UNKNOWN)
    raw = data.get("status")
    return SessionState(
        status=session_status(raw),
        me=read_me(data.get("me")),
        raw_status=raw if isinstance(raw, str) else "",
    )


def serialized_id(value: Any) -> str:
    """A message id: WAHA sends a string, whatsapp-web.js objects carry `_serialized`."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("_serialized"), str):
        return value["_serialized"]
    return ""


def read_ack(payload: dict[str, Any]) -> Ack | None:
    """`ackName` first, the number second: Wawp pairs -1 with "PENDING" (docs/gateways.md)."""
    name = payload.get("ackName")
    if isinstance(name, str) and name.upper() in Ack.__members__:
        return Ack[name.upper()]
    number = payload.get("ack")
    if isinstance(number, bool) or not isinstance(number, int):
        return None
    try:
        return Ack(number)
    except ValueError:
        return None


def parse_envelope(body: bytes) -> list[Event]:
    """One webhook body as a list of one Event. ValueError when it is not an envelope."""
    envelope = loads_untrusted(body)
    if not isinstance(envelope, dict):
        raise ValueError("The webhook body is not a JSON object.")
    name, payload = envelope.get("event"), envelope.get("payload")
    if not isinstance(name, str) or not name or not isinstance(payload, dict):
        raise ValueError("The webhook body has no event name or no payload object.")
    kind = EVENT_KINDS.get(name, EventKind.OTHER)
    fields = Fields(payload)
    data = _READERS[kind](fields) if kind in _READERS else None
    return [
        Event(
            kind=kind,
            raw_event=name,
            event_id=_event_id(envelope, name, kind, payload, body),
            session=_text(envelope.get("session")),
            me=read_me(envelope.get("me")),
            occurred_at=_from_epoch(envelope.get("timestamp"), scale=1000),
            data=data,
            envelope=envelope,
            problems=tuple(fields.problems),
        )
    ]


def _event_id(
    envelope: dict[str, Any], name: str, kind: EventKind, payload: dict[str, Any], body: bytes
) -> str:
    """The engine's id, else one derived from the message; "" for a status report without id.

    Older WAHA versions send neither `id` nor `timestamp` and repeat an identical
    `session.status` body while reconnecting (docs/gateways.md): such reports are applied every
    time rather than dropped as duplicates of the first.
    """
    if isinstance(envelope.get("id"), str) and envelope["id"]:
        return envelope["id"]
    if kind is EventKind.SESSION_STATUS:
        return ""
    payload_id = serialized_id(payload.get("id"))
    if payload_id:
        if name == "message.ack":
            ack = read_ack(payload)
            number = int(ack) if ack is not None else payload.get("ack")
            return f"{name}:{payload_id}:{number}"
        return f"{name}:{payload_id}"
    return f"sha256:{hashlib.sha256(body).hexdigest()}"


def _from_epoch(value: Any, *, scale: int = 1) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    try:
        return datetime.fromtimestamp(value / scale, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


class Fields:
    """Reads a payload's fields, noting each one that is present but of the wrong type.

    An absent or null field is simply empty; a number where text belongs is a problem that the
    event log shows, not a silent empty string.
    """

    def __init__(self, data: dict[str, Any], prefix: str = "payload"):
        self.data = data
        self.prefix = prefix
        self.problems: list[str] = []

    def _wrong(self, key: str, expected: str) -> None:
        self.problems.append(f"{self.prefix}.{key} is not {expected}")

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if value is None or isinstance(value, str):
            return value or ""
        self._wrong(key, "a string")
        return ""

    def flag(self, key: str) -> bool:
        value = self.data.get(key)
        if value is None or isinstance(value, bool):
            return bool(value)
        self._wrong(key, "true or false")
        return False

    def id(self, key: str) -> str:
        value = self.data.get(key)
        found = serialized_id(value)
        if value is not None and not found:
            self._wrong(key, "a message id")
        return found

    def object(self, key: str) -> Fields | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self._wrong(key, "an object")
            return None
        nested = Fields(value, f"{self.prefix}.{key}")
        nested.problems = self.problems
        return nested


def _chat_of(fields: Fields) -> str:
    """The other side of the conversation: `to` for our own messages, `from` otherwise."""
    if "chatId" in fields.data:
        return fields.text("chatId")
    return fields.text("to") if fields.data.get("fromMe") else fields.text("from")


def _message(fields: Fields) -> MessageData:
    media = fields.object("media")
    reply_to = fields.object("replyTo")
    # In groups `from` is the group; the person is `participant` (or `author`).
    sender = fields.text("participant") or fields.text("author") or fields.text("from")
    message_id, from_me = fields.id("id"), fields.flag("fromMe")
    return MessageData(
        message_id=message_id,
        chat_id=_chat_of(fields),
        sender_id=sender,
        sender_name=_push_name(fields.data.get("_data")),
        from_me=from_me,
        text=fields.text("body"),
        media=_media(media) if media is not None or fields.data.get("hasMedia") else None,
        quoted_id=reply_to.id("id") if reply_to is not None else "",
        sent_at=_from_epoch(fields.data.get("timestamp")),
        client_id=_client_id(message_id) if from_me else "",
    )


def _push_name(raw: Any) -> str:
    """The sender's own display name: WEBJS keeps it in `_data.notifyName`, NOWEB in
    `_data.pushName`; both are whatever the sender typed, so only ever shown escaped."""
    if not isinstance(raw, dict):
        return ""
    name = raw.get("notifyName") or raw.get("pushName")
    return name[:200] if isinstance(name, str) else ""


def _client_id(message_id: str) -> str:
    """`true_<chat>_<id>[_<participant>]`: the `<id>` part, which is the client id Switchboard
    chose when it sent the message (instances/outbound/status.py, `wire_id`)."""
    parts = message_id.split("_")
    return parts[2] if len(parts) >= 3 and parts[0] == "true" else ""


def _media(fields: Fields | None) -> Media:
    if fields is None:
        return Media(error="The engine announced media but sent no description of it.")
    error = fields.data.get("error")
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        # The simulator and newer WAHA describe the failure as `{message}`.
        error = error["message"] or "The engine could not download the file."
    return Media(
        url=fields.text("url"),
        mimetype=fields.text("mimetype"),
        filename=fields.text("filename"),
        error=error if isinstance(error, str) else ("" if error is None else str(error)[:300]),
    )


def _ack(fields: Fields) -> AckData:
    ack = read_ack(fields.data)
    if ack is None and ("ack" in fields.data or "ackName" in fields.data):
        fields.problems.append("payload.ack is not a known ack level")
    return AckData(message_id=fields.id("id"), chat_id=_chat_of(fields), ack=ack)


def _reaction(fields: Fields) -> ReactionData:
    if isinstance(fields.data.get("reaction"), str):
        return ReactionData(
            message_id=fields.id("messageId"),
            emoji=fields.text("reaction"),
            sender_id=fields.text("senderId"),
        )
    reaction = fields.object("reaction")
    return ReactionData(
        message_id=reaction.id("messageId") if reaction else "",
        emoji=reaction.text("text") if reaction else "",
        sender_id=fields.text("participant") or fields.text("from"),
    )


def _revoked(fields: Fields) -> RevokedData:
    if "revokedBy" in fields.data:
        return RevokedData(message_id=fields.id("id"))
    before, after = fields.object("before"), fields.object("after")
    bare = fields.text("revokedMessageId")
    message_id = (
        (before.id("id") if before else "")
        or _sibling_id(after.id("id") if after else "", bare)
        or fields.id("id")
    )
    return RevokedData(message_id=message_id)


def _edited(fields: Fields) -> EditedData:
    if "newBody" in fields.data:
        return EditedData(message_id=fields.id("id"), text=fields.text("newBody"))
    own_id = fields.id("id")
    message_id = _sibling_id(own_id, fields.text("editedMessageId")) or own_id
    return EditedData(message_id=message_id, text=fields.text("body"))


def _sibling_id(reference: str, bare: str) -> str:
    """`bare` as a full id like `reference`'s: `<fromMe>_<chat>_<bare>[_<participant>]`.

    WAHA names an edited or revoked message by its bare id, while sends, acks and messages use
    the full form. The edit or revoke comes from the same author in the same chat, so its own
    id supplies the rest.
    """
    if not bare or bare.startswith(("true_", "false_")):
        return bare
    parts = reference.split("_")
    if len(parts) < 3 or parts[0] not in ("true", "false"):
        return bare
    parts[2] = bare
    return "_".join(parts)


def _session_status(fields: Fields) -> SessionStatusData:
    raw = fields.text("status")
    return SessionStatusData(status=session_status(raw), raw_status=raw)


_READERS: dict[EventKind, Callable[[Fields], EventData]] = {
    EventKind.MESSAGE: _message,
    EventKind.ACK: _ack,
    EventKind.REACTION: _reaction,
    EventKind.REVOKED: _revoked,
    EventKind.EDITED: _edited,
    EventKind.SESSION_STATUS: _session_status,
}

"""WAHA's JSON as Switchboard reads it: the webhook envelope and the session and message objects.

Shared by the `waha` and `wawp` engines: Wawp is a hosted WAHA and posts WAHA's envelope, but
its documentation (seed 001) shows flatter payloads for three events. Those are read first,
recognized by their distinctive keys, and WAHA's own shapes are the fallback:

- message.reaction: Wawp `{reaction: "<emoji>", messageId, senderId}`;
  WAHA `{reaction: {text, messageId}, from, participant}`.
- message.revoked: Wawp `{id, revokedBy}`; WAHA `{before, after, revokedMessageId}`.
- message.edited: Wawp `{id, newBody}`; WAHA `{id: <the edit itself>, editedMessageId, body}`.

WAHA's `revokedMessageId` and `editedMessageId` are bare ids (no `true_<chat>_` prefix); they
are completed to the full form every other event uses.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from instances.engines.base import Ack, Event, EventKind, Me, SessionState, SessionStatus
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
    """WAHA's status word; anything newer (PASSKEY_REQUIRED, ...) is UNKNOWN."""
    known = isinstance(raw, str) and raw in _KNOWN_STATUSES
    return SessionStatus(raw) if known else SessionStatus.UNKNOWN


def read_me(data: Any) -> Me | None:
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        return None
    return Me(id=data["id"], push_name=data.get("pushName") or "", lid=data.get("lid") or "")


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
    """`ackName` first, the number second: Wawp pairs -1 with "PENDING" (catalog surprise 23)."""
    name = payload.get("ackName")
    if isinstance(name, str) and name.upper() in Ack.__members__:
        return Ack[name.upper()]
    try:
        return Ack(payload.get("ack"))
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
    data = _READERS[kind](payload) if kind in _READERS else {}
    return [
        Event(
            kind=kind,
            raw_event=name,
            event_id=_event_id(envelope, name, payload, body),
            session=envelope.get("session") if isinstance(envelope.get("session"), str) else "",
            me=read_me(envelope.get("me")),
            occurred_at=_from_epoch(envelope.get("timestamp"), scale=1000),
            data=data,
        )
    ]


def _event_id(envelope: dict[str, Any], name: str, payload: dict[str, Any], body: bytes) -> str:
    # Older WAHA versions send neither `id` nor `timestamp` (facts.md).
    if isinstance(envelope.get("id"), str) and envelope["id"]:
        return envelope["id"]
    payload_id = serialized_id(payload.get("id"))
    if payload_id:
        if name == "message.ack":
            ack = read_ack(payload)
            return f"{name}:{payload_id}:{int(ack) if ack is not None else payload.get('ack')}"
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


def _chat_of(payload: dict[str, Any]) -> str:
    """The other side of the conversation: `to` for our own messages, `from` otherwise."""
    if isinstance(payload.get("chatId"), str):
        return payload["chatId"]
    return _text(payload.get("to") if payload.get("fromMe") else payload.get("from"))


def _message(payload: dict[str, Any]) -> dict[str, Any]:
    media = payload.get("media")
    return {
        "message_id": serialized_id(payload.get("id")),
        "chat_id": _chat_of(payload),
        "from_me": bool(payload.get("fromMe")),
        "text": _text(payload.get("body")),
        "has_media": bool(payload.get("hasMedia")),
        "media": media if isinstance(media, dict) else {},
        # In groups `from` is the group; the person is `participant` (or `author`).
        "sender": _text(payload.get("participant") or payload.get("author") or payload.get("from")),
        "timestamp": _from_epoch(payload.get("timestamp")),
    }


def _ack(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "message_id": serialized_id(payload.get("id")),
        "chat_id": _chat_of(payload),
        "ack": read_ack(payload),
    }


def _reaction(payload: dict[str, Any]) -> dict[str, Any]:
    reaction = payload.get("reaction")
    if isinstance(reaction, str):
        return {
            "message_id": serialized_id(payload.get("messageId")),
            "emoji": reaction,
            "sender": _text(payload.get("senderId")),
        }
    reaction = reaction if isinstance(reaction, dict) else {}
    return {
        "message_id": serialized_id(reaction.get("messageId")),
        "emoji": _text(reaction.get("text")),
        "sender": _text(payload.get("participant") or payload.get("from")),
    }


def _revoked(payload: dict[str, Any]) -> dict[str, Any]:
    if "revokedBy" in payload:
        return {"message_id": serialized_id(payload.get("id"))}
    before = payload.get("before") if isinstance(payload.get("before"), dict) else {}
    after = payload.get("after") if isinstance(payload.get("after"), dict) else {}
    bare = _text(payload.get("revokedMessageId"))
    message_id = (
        serialized_id(before.get("id"))
        or _sibling_id(serialized_id(after.get("id")), bare)
        or serialized_id(payload.get("id"))
    )
    return {"message_id": message_id}


def _edited(payload: dict[str, Any]) -> dict[str, Any]:
    if "newBody" in payload:
        return {"message_id": serialized_id(payload.get("id")), "text": _text(payload["newBody"])}
    own_id = serialized_id(payload.get("id"))
    message_id = _sibling_id(own_id, _text(payload.get("editedMessageId"))) or own_id
    return {"message_id": message_id, "text": _text(payload.get("body"))}


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


def _session_status(payload: dict[str, Any]) -> dict[str, Any]:
    raw = payload.get("status")
    return {"status": session_status(raw), "raw_status": _text(raw)}


_READERS = {
    EventKind.MESSAGE: _message,
    EventKind.ACK: _ack,
    EventKind.REACTION: _reaction,
    EventKind.REVOKED: _revoked,
    EventKind.EDITED: _edited,
    EventKind.SESSION_STATUS: _session_status,
}

"""What engines report: session states and webhook events, normalized and typed.

Nothing outside `instances/engines/` reads an engine's JSON: the queue and the inbox consume
these dataclasses. Each event also carries the raw envelope, for the event log.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class SessionStatus(enum.StrEnum):
    STOPPED = "STOPPED"
    STARTING = "STARTING"
    SCAN_QR_CODE = "SCAN_QR_CODE"
    WORKING = "WORKING"
    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"


class Ack(enum.IntEnum):
    """WAHA's ack levels; Switchboard trusts `ackName` first and the number second."""

    ERROR = -1
    PENDING = 0
    SERVER = 1
    DEVICE = 2
    READ = 3
    PLAYED = 4


class EventKind(enum.StrEnum):
    MESSAGE = "message"
    ACK = "ack"
    REACTION = "reaction"
    REVOKED = "revoked"
    EDITED = "edited"
    SESSION_STATUS = "session_status"
    OTHER = "other"


@dataclass(frozen=True)
class Me:
    id: str
    push_name: str = ""
    lid: str = ""

    @property
    def phone(self) -> str:
        """The number part of `12345@c.us`, as E.164 with a plus."""
        number = self.id.split("@", 1)[0].split(":", 1)[0]
        return f"+{number}" if number.isascii() and number.isdigit() else ""


@dataclass(frozen=True)
class Media:
    """An attachment as the engine describes it; the file itself is fetched separately."""

    url: str = ""
    mimetype: str = ""
    filename: str = ""
    error: str = ""


@dataclass(frozen=True)
class MessageData:
    """A message in a chat, incoming or sent from the linked phone (`from_me`).

    `sender_id` is the person who wrote it (the participant in a group), `sender_name` the name
    they gave WhatsApp, `quoted_id` the message it replies to, `client_id` the id Switchboard
    chose when it sent it, where the engine says.
    """

    message_id: str
    chat_id: str
    sender_id: str = ""
    sender_name: str = ""
    from_me: bool = False
    text: str = ""
    media: Media | None = None
    quoted_id: str = ""
    client_id: str = ""
    sent_at: datetime | None = None


@dataclass(frozen=True)
class AckData:
    message_id: str
    chat_id: str
    ack: Ack | None
    client_id: str = ""


@dataclass(frozen=True)
class ReactionData:
    """`emoji` is empty when a reaction was taken back."""

    message_id: str
    emoji: str
    sender_id: str = ""


@dataclass(frozen=True)
class RevokedData:
    message_id: str


@dataclass(frozen=True)
class EditedData:
    message_id: str
    text: str


@dataclass(frozen=True)
class SessionStatusData:
    status: SessionStatus
    raw_status: str = ""


EventData = MessageData | AckData | ReactionData | RevokedData | EditedData | SessionStatusData


@dataclass(frozen=True)
class Event:
    """One normalized webhook event.

    `event_id` de-duplicates: the engine's own id, or one derived from the message the event is
    about. It is empty for a status report that carries no id: those are applied every time
    (they are idempotent, and an engine may repeat an identical report on purpose).
    `data` is None for kinds Switchboard does not read (`OTHER`). `problems` names fields that
    were present but malformed, so a bad payload is reported instead of read as empty.
    """

    kind: EventKind
    raw_event: str
    event_id: str
    session: str = ""
    me: Me | None = None
    occurred_at: datetime | None = None
    data: EventData | None = None
    envelope: Any = None
    problems: tuple[str, ...] = field(default=())

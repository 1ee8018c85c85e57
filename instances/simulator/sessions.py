"""One simulated WhatsApp session: its status, its login, and what it sent and received."""

from __future__ import annotations

import copy
import enum
from dataclasses import dataclass, field
from typing import Any

from .profiles import CURRENT, Profile


class Status(enum.StrEnum):
    STOPPED = "STOPPED"
    STARTING = "STARTING"
    SCAN_QR_CODE = "SCAN_QR_CODE"
    WORKING = "WORKING"
    FAILED = "FAILED"


@dataclass
class MessageRecord:
    """A message the session accepted from the API (outgoing) or received (incoming)."""

    direction: str
    endpoint: str
    request: dict[str, Any]
    message: dict[str, Any]

    @property
    def chat_id(self) -> str:
        return self.message["to"] if self.message["fromMe"] else self.message["from"]

    def to_json(self) -> dict[str, Any]:
        return copy.deepcopy(
            {
                "direction": self.direction,
                "endpoint": self.endpoint,
                "request": self.request,
                "message": self.message,
            }
        )


@dataclass
class Session:
    name: str
    config: dict[str, Any] | None
    status: Status = Status.STOPPED
    status_since: float = 0.0
    # The linked phone: survives stop and start (like WAHA's stored auth), cleared by logout.
    account: dict[str, str] | None = None
    pairing_phone: str = ""
    qr_salt: str = ""
    qr_index: int = 0
    # STARTING reports repeated so far in this STARTING phase (profiles that reconnect).
    starting_repeats: int = 0
    records: list[MessageRecord] = field(default_factory=list)
    by_id: dict[str, MessageRecord] = field(default_factory=dict)
    by_key: dict[str, MessageRecord] = field(default_factory=dict)
    lids: dict[str, str] = field(default_factory=dict)
    actions: list[dict[str, Any]] = field(default_factory=list)
    # Group id -> simulator.groups.Group, for the groups this number is in.
    groups: dict[str, Any] = field(default_factory=dict)

    @property
    def running(self) -> bool:
        return self.status != Status.STOPPED

    @property
    def me_id(self) -> str | None:
        return self.account["id"] if self.account else None

    def me(self) -> dict[str, str] | None:
        if self.status == Status.WORKING and self.account:
            return dict(self.account)
        return None

    def metadata(self) -> dict[str, Any]:
        return dict((self.config or {}).get("metadata") or {})

    def webhooks(self) -> list[dict[str, Any]]:
        return list((self.config or {}).get("webhooks") or [])

    def add(self, record: MessageRecord, key: str) -> None:
        self.records.append(record)
        self.by_id[record.message["id"]] = record
        self.by_key[key] = record

    def find(self, message_id: str) -> MessageRecord | None:
        return self.by_id.get(message_id) or self.by_key.get(message_id)

    def to_json(self, profile: Profile = CURRENT) -> dict[str, Any]:
        stopped = self.status == Status.STOPPED
        answer: dict[str, Any] = {"name": self.name, "status": self.status.value}
        if not (profile.old_session_shape and not stopped and self.config is None):
            answer["config"] = copy.deepcopy(self.config)
        answer["me"] = self.me()
        old_stopped = stopped and profile.old_session_shape
        answer["engine"] = {} if old_stopped else {"engine": profile.engine}
        return answer

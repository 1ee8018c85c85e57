"""The engine interface: what Switchboard asks of any WhatsApp gateway, in normalized types.

Only modules in this package see httpx responses or a gateway's raw JSON. Everything they
return is one of the dataclasses below; everything that goes wrong is one of the typed errors.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, ClassVar

import httpx

# The typed errors live in errors.py because http.py needs them too; they are imported from
# here by everyone else, so this module stays the one place the interface is read from.
from instances.engines.errors import (  # noqa: F401 - re-exported
    AuthenticationError,
    EngineError,
    NotFoundError,
    NotSupportedError,
    PermanentError,
    RetryableError,
    UnconfirmedError,
    WrongGatewayError,
    WrongStateError,
)
from instances.engines.events import (  # noqa: F401 - re-exported
    Ack,
    AckData,
    EditedData,
    Event,
    EventKind,
    Me,
    Media,
    MessageData,
    ReactionData,
    RevokedData,
    SessionStatus,
    SessionStatusData,
)
from instances.engines.groups import (  # noqa: F401 - re-exported
    NO_SUCH_GROUP,
    GroupInfo,
    GroupInvite,
    GroupParticipant,
    GroupRole,
)
from instances.engines.http import (
    build_client,
    error_for_status,
    gateway_address,
    redact,
    transport_error,
)


class Capability(enum.StrEnum):
    START = "start"
    STOP = "stop"
    RESTART = "restart"
    LOGOUT = "logout"
    RECREATE = "recreate"
    DELETE = "delete"
    QR = "qr"
    PAIRING_CODE = "pairing_code"
    SCREENSHOT = "screenshot"
    CHECK_EXISTS = "check_exists"
    CONFIGURE_WEBHOOK = "configure_webhook"
    SIGNED_WEBHOOKS = "signed_webhooks"
    LOOKUP_MESSAGE = "lookup_message"
    DOWNLOAD_MEDIA = "download_media"
    LOOKUP_LID = "lookup_lid"
    # Acting human before a send (docs/architecture.md, "Outbound queue").
    SEEN = "seen"
    TYPING = "typing"
    # One account per address and no session to create or stop (chat-api, WhautoChat): what
    # "start" would set up is set up when the instance is saved.
    SESSIONLESS = "sessionless"
    # A cloud gateway without sessions or webhooks (WhautoChat): always ready, it only sends.
    SEND_ONLY = "send_only"
    # Sends are answered without a message id (chat-api): such a send is recorded as sent
    # without ticks until the gateway's history names it (`message_history`).
    NO_MESSAGE_IDS = "no_message_ids"
    TEMPLATE_MESSAGES = "template_messages"
    # The gateway keeps its own outbound queue, which can be shown and cleared.
    ENGINE_QUEUE = "engine_queue"
    MESSAGE_HISTORY = "message_history"
    CREATE_GROUP = "create_group"
    # Read and manage groups: list, info, subject and description, participants and their
    # roles, leave, invite link (WAHA's groups API). Engines with it have CREATE_GROUP too.
    GROUPS = "groups"


class MessageKind(enum.StrEnum):
    TEXT = "text"
    IMAGE = "image"
    DOCUMENT = "document"
    VIDEO = "video"
    VOICE = "voice"
    LOCATION = "location"
    CONTACT = "contact"
    POLL = "poll"
    LIST = "list"
    LINK_PREVIEW = "link_preview"
    REACTION = "reaction"
    # A template the gateway stores (WhautoChat), named by its id; only engines with
    # Capability.TEMPLATE_MESSAGES accept it.
    TEMPLATE = "template"


@dataclass(frozen=True)
class SessionState:
    status: SessionStatus
    me: Me | None = None
    raw_status: str = ""


@dataclass(frozen=True)
class QrCode:
    """A login QR: the raw string (render it with segno) and/or a ready PNG."""

    value: str = ""
    png: bytes = b""


@dataclass(frozen=True)
class Screenshot:
    content: bytes
    mimetype: str = "image/png"


@dataclass(frozen=True)
class SendRequest:
    """What to send. `payload` keys by kind:

    text: text, link_preview (bool); image/document/video/voice: url, mimetype, filename, caption;
    location: latitude, longitude, title; contact: vcard or contacts; poll: name, options,
    multiple; list: title, description, button_text, footer, sections; link_preview: text,
    url, title, description, image_url; reaction: message_id, emoji; template: template.
    Common optional: reply_to. `client_id` is sent where the engine honours client ids, so an
    unconfirmed send can be looked up later.
    """

    chat_id: str
    kind: MessageKind
    payload: dict[str, Any]
    client_id: str = ""

    def body(self, builder: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
        """Run an engine's body builder; a payload missing what the kind needs is refused."""
        try:
            return builder(self.payload)
        except (KeyError, TypeError, ValueError) as exc:
            raise PermanentError(
                f"The {self.kind.value} message is incomplete or malformed ({exc!r})."
            ) from None


@dataclass(frozen=True)
class SendResult:
    provider_id: str
    raw_status: str = ""


@dataclass(frozen=True)
class CheckResult:
    exists: bool
    chat_id: str = ""


@dataclass(frozen=True)
class QueuedOnEngine:
    """One message waiting in a gateway's own outbound queue."""

    id: str
    chat_id: str = ""
    kind: str = ""
    text: str = ""
    last_try_at: datetime | None = None


@dataclass(frozen=True)
class EngineQueue:
    """A gateway's own outbound queue: how many wait, and the first of them."""

    total: int
    first: tuple[QueuedOnEngine, ...] = ()


@dataclass(frozen=True)
class HistoryPage:
    """Messages a gateway kept, after a cursor, as the message events its webhooks would have
    carried (the same event ids, so nothing is stored twice); pass `cursor` to the next call."""

    events: tuple[Event, ...]
    cursor: int | None = None


@dataclass(frozen=True)
class ServerInfo:
    """Who answers at the base URL: the gateway's release, its internal engine and its tier.

    For WAHA: `version` like `2024.10.8`, `engine` NOWEB/WEBJS/GOWS, `tier` CORE/PLUS.
    """

    version: str
    engine: str = ""
    tier: str = ""

    def __str__(self) -> str:
        return " ".join(part for part in (self.version, self.engine, self.tier) if part)


@dataclass(frozen=True)
class EngineConfig:
    """What an engine needs to reach one instance; secrets arrive decrypted, never logged."""

    base_url: str
    api_key: str
    session: str
    webhook_url: str = ""
    webhook_secret: str = ""


class Engine:
    """One gateway. Subclasses set `key`, `label`, `capabilities` and implement what they can."""

    key: ClassVar[str]
    label: ClassVar[str]
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    # The message kinds `send` has a route for; the queue refuses the others when they are queued.
    sendable_kinds: ClassVar[frozenset[MessageKind]] = frozenset()
    # Shown on the instance form next to the credential field.
    credential_label: ClassVar[str] = "API key"
    session_label: ClassVar[str] = "Session name"
    default_base_url: ClassVar[str] = ""

    def __init__(self, config: EngineConfig, *, transport: httpx.BaseTransport | None = None):
        self.config = config
        self._transport = transport

    @cached_property
    def client(self) -> httpx.Client:
        # Built on the first request, not here: parsing a webhook or reading capabilities must
        # not pay for a client and its connection pool (docs/architecture.md, "Engines").
        return self.build_client(self._transport)

    def build_client(self, transport: httpx.BaseTransport | None) -> httpx.Client:
        return build_client(self.config.base_url, transport=transport)

    def close(self) -> None:
        if "client" in self.__dict__:
            self.client.close()
            del self.client

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def check_response(self, response: httpx.Response) -> None:
        """Raise the typed error for a failed response; engines map their gateway's codes."""
        if not response.is_success:
            raise error_for_status(response.status_code, credential=self.credential_label)

    def request(
        self, method: str, url: str, *, sends_message: bool = False, **kwargs: Any
    ) -> httpx.Response:
        """One call to the gateway, failures mapped to the typed errors. Never retried here."""
        try:
            response = self.client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            address = gateway_address(self.client.base_url)
            # `from None`: the httpx exception holds the request, whose URL may carry a token.
            raise transport_error(exc, address=address, sends_message=sends_message) from None
        try:
            self.check_response(response)
        except EngineError as exc:
            redact(exc, (self.config.api_key, self.config.webhook_secret))
            raise
        return response

    @classmethod
    def capabilities_for(cls, server: ServerInfo | None) -> frozenset[Capability]:
        """What this engine can do against that server; `None` (never asked) means all of it.

        Cheap on purpose: the instance page calls it for every capability it shows.
        """
        return cls.capabilities

    def server_info(self) -> ServerInfo | None:
        """Ask the gateway who it is; None for gateways that cannot say."""
        return None

    def _unsupported(self, what: str) -> NotSupportedError:
        return NotSupportedError(f"{self.label} cannot {what}.")

    # Session life. Each returns the state the gateway reports after the action.
    def create(self) -> SessionState:
        """Make sure the session exists on the gateway (with webhooks) and is started."""
        return self.start()

    def start(self) -> SessionState:
        raise self._unsupported("start a session")

    def stop(self) -> SessionState:
        raise self._unsupported("stop a session")

    def restart(self) -> SessionState:
        raise self._unsupported("restart a session")

    def logout(self) -> SessionState:
        raise self._unsupported("log out a session")

    def recreate(self) -> SessionState:
        raise self._unsupported("recreate a session")

    def delete(self) -> None:
        raise self._unsupported("delete a session")

    def status(self) -> SessionState:
        """The session's state; NotFoundError when the gateway has no such session."""
        raise NotImplementedError

    def qr(self) -> QrCode:
        raise self._unsupported("show a QR code")

    def pairing_code(self, phone: str) -> str:
        raise self._unsupported("log in with a pairing code")

    def screenshot(self) -> Screenshot:
        raise self._unsupported("take a screenshot")

    # Messages and contacts.
    def send(self, message: SendRequest) -> SendResult:
        raise NotImplementedError

    def check_exists(self, phone: str) -> CheckResult:
        raise self._unsupported("check whether a number is on WhatsApp")

    def lookup_message(self, chat_id: str, message_id: str) -> SendResult | None:
        raise self._unsupported("look up a message")

    def download_media(self, url: str, max_bytes: int) -> bytes:
        """The file behind a media URL from a webhook, fetched with the instance's credentials.

        Only the URL's path is used, against the engine's own address, so a webhook cannot make
        Switchboard send its key elsewhere. PermanentError past `max_bytes`.
        """
        raise self._unsupported("download media")

    def lookup_lid(self, lid: str) -> str:
        """The phone chat id (`<digits>@c.us`) behind a privacy id, or "" when unknown."""
        raise self._unsupported("look up a LID")

    # Acting human: what a person's phone shows before they answer.
    def send_seen(self, chat_id: str) -> None:
        """Mark the chat's messages as read (blue ticks)."""
        raise self._unsupported("mark a chat as read")

    def start_typing(self, chat_id: str) -> None:
        """Show "typing..." in the chat; WhatsApp drops it by itself after some seconds."""
        raise self._unsupported("show typing")

    def stop_typing(self, chat_id: str) -> None:
        raise self._unsupported("stop showing typing")

    def message_history(self, after: int | None = None) -> HistoryPage:
        """Messages the gateway stored after the cursor of an earlier page (None: its latest)."""
        raise self._unsupported("list its message history")

    def create_group(self, name: str, phones: list[str], text: str = "") -> str:
        """Create a group with these numbers (E.164 or `<digits>@c.us`) and, where the gateway
        can, post `text` in it; the group's chat id, or "" when the gateway creates it later."""
        raise self._unsupported("create a group")

    # Groups (Capability.GROUPS). Participants are chat ids (`<digits>@c.us`); an unknown
    # group is a NotFoundError.
    def list_groups(self) -> list[GroupInfo]:
        raise self._unsupported("manage groups")

    def group_info(self, group_id: str) -> GroupInfo:
        raise self._unsupported("manage groups")

    def update_group(
        self, group_id: str, *, subject: str | None = None, description: str | None = None
    ) -> None:
        raise self._unsupported("manage groups")

    def add_participants(self, group_id: str, participants: list[str]) -> None:
        raise self._unsupported("manage groups")

    def remove_participants(self, group_id: str, participants: list[str]) -> None:
        raise self._unsupported("manage groups")

    def promote_participants(self, group_id: str, participants: list[str]) -> None:
        raise self._unsupported("manage groups")

    def demote_participants(self, group_id: str, participants: list[str]) -> None:
        raise self._unsupported("manage groups")

    def leave_group(self, group_id: str) -> None:
        raise self._unsupported("manage groups")

    def group_invite(self, group_id: str) -> GroupInvite:
        raise self._unsupported("manage groups")

    # The gateway's own outbound queue.
    def engine_queue(self) -> EngineQueue:
        raise self._unsupported("show its own message queue")

    def clear_engine_queue(self) -> int:
        """Drop every message waiting on the gateway; how many were dropped."""
        raise self._unsupported("clear its own message queue")

    # Webhooks.
    def configure_webhook(self, url: str, secret: str) -> None:
        raise self._unsupported("register a webhook")

    @classmethod
    def parse_webhook(cls, headers: dict[str, str], body: bytes) -> list[Event]:
        """Normalize one webhook body. Raises ValueError for a body that is not an envelope.

        A class method: parsing needs neither a client nor the instance's configuration.
        """
        raise NotImplementedError

    def test_connection(self) -> SessionState:
        """Reachability and authentication in one call; raises the typed errors.

        A session the gateway does not know yet is not a failure here: the key worked.
        """
        try:
            return self.status()
        except NotFoundError:
            return SessionState(SessionStatus.STOPPED, raw_status="not created yet")

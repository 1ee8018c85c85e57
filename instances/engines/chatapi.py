"""chat-api, the legacy "messengers API" (docs/gateways.md, "chat-api").

Every call is `/instance{id}/<method>?token=...`: the token travels in the query string, so, as
for Wawp, message content goes in POST bodies, errors name the host only, and httpx's request
log line has the token blanked. Sends are queued on the gateway and answered `{"sent": true}`
without a message id (Capability.NO_MESSAGE_IDS); the message history (`GET /messages`) names
them later. Webhook bodies batch `messages` and `ack` arrays without an event name.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from instances.engines.base import (
    Ack,
    AckData,
    Capability,
    Engine,
    EngineQueue,
    Event,
    EventKind,
    HistoryPage,
    Media,
    MessageData,
    MessageKind,
    NotSupportedError,
    PermanentError,
    QrCode,
    QueuedOnEngine,
    SendRequest,
    SendResult,
    SessionState,
    SessionStatus,
    WrongStateError,
)
from instances.engines.http import (
    build_client,
    error_for_status,
    hide_query_value_in_logs,
    response_json,
    retry_after_header,
)
from instances.engines.webhook_json import loads_untrusted
from instances.phone_numbers import digits_only

CREDENTIAL = "token"

# `GET /status` answers one of these four words in `accountStatus`.
ACCOUNT_STATUS: dict[str, SessionStatus] = {
    "init": SessionStatus.STARTING,
    "loading": SessionStatus.STARTING,
    "got qr code": SessionStatus.SCAN_QR_CODE,
    "authenticated": SessionStatus.WORKING,
}
# Ack words in webhooks. chat-api documents `delivered` and `viewed`; `sent` is read too.
ACK_WORDS: dict[str, Ack] = {"sent": Ack.SERVER, "delivered": Ack.DEVICE, "viewed": Ack.READ}
# Message types whose `body` is a link to the file rather than text.
MEDIA_TYPES = frozenset({"image", "ptt", "audio", "document", "video"})
FILE_KINDS = frozenset(
    {MessageKind.IMAGE, MessageKind.DOCUMENT, MessageKind.VIDEO, MessageKind.VOICE}
)

_CLEARED = re.compile(r"Cleared\s+(\d+)")


hide_query_value_in_logs("token")


def raise_for_response(response: httpx.Response) -> None:
    """Map a failed chat-api answer to a typed error. The reference shows no error body; a
    JSON `error` or `message` string is passed on when there is one."""
    if response.is_success:
        return
    raise error_for_status(
        response.status_code,
        _said(response_json(response)),
        credential=CREDENTIAL,
        retry_after=retry_after_header(response),
    )


def _said(body: Any) -> str:
    if not isinstance(body, dict):
        return ""
    found = body.get("error") or body.get("message")
    return found if isinstance(found, str) else ""


def map_status(raw: str) -> SessionStatus:
    return ACCOUNT_STATUS.get(raw.strip().lower(), SessionStatus.UNKNOWN)


def _data_uri_bytes(uri: Any) -> bytes:
    if not isinstance(uri, str) or not uri.startswith("data:") or "," not in uri:
        return b""
    try:
        return base64.b64decode(uri.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        return b""


def _when(seconds: Any, *, scale: float = 1.0) -> datetime | None:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        return None
    try:
        return datetime.fromtimestamp(seconds / scale, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _recipient(chat_id: str) -> dict[str, str]:
    """`chatId` for a chat id, `phone` (digits) for a bare number: exactly one of the two."""
    if "@" in chat_id:
        return {"chatId": chat_id}
    return {"phone": digits_only(chat_id)}


def _file_name(payload: dict[str, Any]) -> str:
    """chat-api requires a file name; the link's last segment serves when none was given."""
    if payload.get("filename"):
        return str(payload["filename"])
    tail = urlsplit(str(payload.get("url", ""))).path.rsplit("/", 1)[-1]
    return tail or "file"


def _file_body(payload: dict[str, Any]) -> dict[str, Any]:
    content = payload.get("content")
    if isinstance(content, bytes):
        mimetype = payload.get("mimetype") or "application/octet-stream"
        source = f"data:{mimetype};base64,{base64.b64encode(content).decode()}"
    else:
        source = payload["url"]
    body = {"body": source, "filename": _file_name(payload)}
    if payload.get("caption"):
        body["caption"] = payload["caption"]
    return body


def _text_body(payload: dict[str, Any]) -> dict[str, Any]:
    return {"body": payload["text"]}


def message_data(item: Any) -> tuple[MessageData | None, str, list[str]]:
    """(message, chat-api type, problems) for one entry of a `messages` array."""
    if not isinstance(item, dict):
        return None, "", ["messages[]: not an object"]
    message_id, chat_id = item.get("id"), item.get("chatId")
    if not isinstance(message_id, str) or not message_id or not isinstance(chat_id, str):
        return None, "", ["messages[]: id or chatId missing"]
    kind = item.get("type") if isinstance(item.get("type"), str) else "chat"
    body = item.get("body") if isinstance(item.get("body"), str) else ""
    author = item.get("author") if isinstance(item.get("author"), str) else ""
    media = Media(url=body) if kind in MEDIA_TYPES and body else None
    data = MessageData(
        message_id=message_id,
        chat_id=chat_id,
        sender_id=author,
        from_me=item.get("fromMe") is True,
        text="" if media else body,
        media=media,
        sent_at=_when(item.get("time")),
    )
    return data, kind, []


def _messages_of(data: dict[str, Any]) -> Any:
    # The reference's own example spells the key `"messages:"`; read both.
    return data.get("messages", data.get("messages:"))


class ChatApiEngine(Engine):
    key = "chatapi"
    label = "chat-api (legacy)"
    sendable_kinds = frozenset({MessageKind.TEXT, *FILE_KINDS})
    capabilities = frozenset(
        {
            Capability.SESSIONLESS,
            Capability.START,
            Capability.RESTART,
            Capability.LOGOUT,
            Capability.QR,
            Capability.CONFIGURE_WEBHOOK,
            Capability.NO_MESSAGE_IDS,
            Capability.ENGINE_QUEUE,
            Capability.MESSAGE_HISTORY,
            Capability.CREATE_GROUP,
        }
    )
    credential_label = "Token"
    session_label = "Instance ID"
    default_base_url = "https://api.chat-api.com"

    def build_client(self, transport: httpx.BaseTransport | None) -> httpx.Client:
        params = {"token": self.config.api_key}
        return build_client(self.config.base_url, params=params, transport=transport)

    def check_response(self, response: httpx.Response) -> None:
        raise_for_response(response)

    # Session life. chat-api has no sessions to create or start: "start" registers the
    # webhook and reads the status, which brings the QR code once the instance has one.
    def start(self) -> SessionState:
        if self.config.webhook_url:
            self.configure_webhook(self.config.webhook_url, self.config.webhook_secret)
        return self.status()

    def restart(self) -> SessionState:
        self.request("GET", self._path("reboot"))
        return self.status()

    def logout(self) -> SessionState:
        self.request("GET", self._path("logout"))
        return self.status()

    def status(self) -> SessionState:
        raw = self._json("GET", "status").get("accountStatus")
        if not isinstance(raw, str):
            return SessionState(SessionStatus.UNKNOWN)
        return SessionState(status=map_status(raw), raw_status=raw)

    def qr(self) -> QrCode:
        data = self._json("GET", "status")
        png = _data_uri_bytes(data.get("qrCode"))
        if png:
            return QrCode(png=png)
        raw = data.get("accountStatus")
        if isinstance(raw, str) and map_status(raw) is not SessionStatus.SCAN_QR_CODE:
            raise WrongStateError(f"There is no QR code while the account is {raw!r}.", code=raw)
        response = self.request("GET", self._path("qr_code"))
        if not response.headers.get("Content-Type", "").startswith("image/"):
            raise PermanentError("The gateway sent no QR code Switchboard can read.")
        return QrCode(png=response.content)

    # Messages.
    def send(self, message: SendRequest) -> SendResult:
        """Queue one message on chat-api. Its answer carries no message id."""
        if message.kind is MessageKind.TEXT:
            path, builder = "sendMessage", _text_body
        elif message.kind in FILE_KINDS:
            path, builder = "sendFile", _file_body
        else:
            raise NotSupportedError(f"{self.label} cannot send a {message.kind.value} message.")
        body = {**_recipient(message.chat_id), **message.body(builder)}
        data = self._json("POST", path, json=body, sends_message=True)
        if data.get("sent") is not True:
            raise PermanentError(_said(data) or "The gateway did not accept the message.")
        return SendResult(provider_id="", raw_status=_said(data))

    def message_history(self, after: int | None = None) -> HistoryPage:
        """`GET /messages?lastMessageNumber=`; without a cursor, the last 100 (`last`)."""
        params = {"last": "1"} if after is None else {"lastMessageNumber": str(after)}
        data = self._json("GET", "messages", params=params)
        items = _messages_of(data)
        events = [_message_event(item) for item in items] if isinstance(items, list) else []
        cursor = data.get("lastMessageNumber")
        return HistoryPage(
            events=tuple(event for event in events if event.kind is EventKind.MESSAGE),
            cursor=cursor if isinstance(cursor, int) and not isinstance(cursor, bool) else after,
        )

    def create_group(self, name: str, phones: list[str], text: str = "") -> str:
        body = {"groupName": name, "phones": [digits_only(phone) for phone in phones]}
        if text:
            body["messageText"] = text
        chat_id = self._json("POST", "group", json=body, sends_message=True).get("chatId")
        return chat_id if isinstance(chat_id, str) else ""

    # The gateway's own queue.
    def engine_queue(self) -> EngineQueue:
        data = self._json("GET", "showMessagesQueue")
        items = data.get("first100") if isinstance(data.get("first100"), list) else []
        first = tuple(
            QueuedOnEngine(
                id=str(item.get("id", "")),
                chat_id=str(item.get("chatId") or ""),
                kind=str(item.get("type") or ""),
                text=str(item.get("body") or ""),
                # `last_try` is in milliseconds, unlike the seconds elsewhere.
                last_try_at=_when(item.get("last_try"), scale=1000),
            )
            for item in items
            if isinstance(item, dict)
        )
        total = data.get("totalMessages")
        valid = isinstance(total, int) and not isinstance(total, bool)
        return EngineQueue(total=total if valid else len(first), first=first)

    def clear_engine_queue(self) -> int:
        """`GET /clearMessagesQueue` (a GET that changes state): `{"message": "Cleared 2
        messages", ...}`."""
        data = self._json("GET", "clearMessagesQueue")
        found = _CLEARED.search(_said(data))
        if found:
            return int(found.group(1))
        examples = data.get("messageTextsExample")
        return len(examples) if isinstance(examples, list) else 0

    # Webhooks.
    def configure_webhook(self, url: str, secret: str) -> None:
        """`POST /webhook`; the secret is in the address, as for every unsigned engine."""
        if self._json("POST", "webhook", json={"webhookUrl": url}).get("set") is not True:
            raise PermanentError("The gateway did not accept the webhook address.")

    @classmethod
    def parse_webhook(cls, headers: dict[str, str], body: bytes) -> list[Event]:
        """One body batches new messages and acks, each becoming one event."""
        data = loads_untrusted(body)
        if not isinstance(data, dict):
            raise ValueError("The webhook body is not a JSON object.")
        messages, acks = _messages_of(data), data.get("ack")
        if not isinstance(messages, list) and not isinstance(acks, list):
            raise ValueError("The webhook body has neither a messages nor an ack array.")
        events = [_message_event(item) for item in messages or ()]
        events += [_ack_event(item) for item in acks or ()]
        return events

    # Helpers.
    def _path(self, method: str) -> str:
        return f"/instance{quote(self.config.session, safe='')}/{method}"

    def _json(self, method: str, name: str, **kwargs: Any) -> dict[str, Any]:
        data = response_json(self.request(method, self._path(name), **kwargs))
        if not isinstance(data, dict):
            raise PermanentError("The gateway sent an answer Switchboard cannot read.")
        return data


def _message_event(item: Any) -> Event:
    data, kind, problems = message_data(item)
    if data is None:
        return Event(
            kind=EventKind.OTHER,
            raw_event="message",
            event_id="",
            envelope=item,
            problems=tuple(problems),
        )
    return Event(
        kind=EventKind.OTHER if kind == "call_log" else EventKind.MESSAGE,
        raw_event=kind if kind == "call_log" else "message",
        event_id=f"message:{data.message_id}",
        occurred_at=data.sent_at,
        data=None if kind == "call_log" else data,
        envelope=item,
    )


def _ack_event(item: Any) -> Event:
    message_id = item.get("id") if isinstance(item, dict) else None
    if not isinstance(message_id, str) or not message_id:
        return Event(
            kind=EventKind.OTHER,
            raw_event="ack",
            event_id="",
            envelope=item,
            problems=("ack[]: id missing",),
        )
    word = item.get("status") if isinstance(item.get("status"), str) else ""
    chat_id = item.get("chatId") if isinstance(item.get("chatId"), str) else ""
    ack = ACK_WORDS.get(word.lower())
    return Event(
        kind=EventKind.ACK,
        raw_event="ack",
        event_id=f"ack:{message_id}:{word.lower()}",
        data=AckData(message_id=message_id, chat_id=chat_id, ack=ack),
        envelope=item,
        problems=() if ack else (f"ack[].status: unknown word {word!r}",),
    )

"""message-pro API v2 (https://api.message-pro.com; docs/gateways.md, "message-pro").

The reference is an endpoint catalogue without response bodies, error formats, status values or
webhooks, so everything read back from it is read defensively and the raw status is kept.
Management lives under `/api/v2/instances/{id}/...`, messaging under `/api/v2/{id}/...`;
`{id}` is the instance's unique name. message-pro queues every message server-side, with an
optional `priority` and `send_at` per message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from instances.engines.base import (
    Capability,
    Engine,
    Event,
    EventKind,
    MessageKind,
    NotFoundError,
    NotSupportedError,
    PermanentError,
    QrCode,
    Screenshot,
    SendRequest,
    SendResult,
    SessionState,
    SessionStatus,
)
from instances.engines.http import (
    build_client,
    error_for_status,
    response_json,
    retry_after_header,
)
from instances.engines.webhook_json import loads_untrusted

CREDENTIAL = "API token"

# The reference names no status values; these are the words such gateways use (chat-api's
# `init/loading/got qr code/authenticated`, WAHA's, and common synonyms).
STATUS_WORDS: dict[str, SessionStatus] = {
    "authenticated": SessionStatus.WORKING,
    "connected": SessionStatus.WORKING,
    "working": SessionStatus.WORKING,
    "ready": SessionStatus.WORKING,
    "online": SessionStatus.WORKING,
    "qr": SessionStatus.SCAN_QR_CODE,
    "qr code": SessionStatus.SCAN_QR_CODE,
    "got qr code": SessionStatus.SCAN_QR_CODE,
    "scan qr code": SessionStatus.SCAN_QR_CODE,
    "loading": SessionStatus.STARTING,
    "starting": SessionStatus.STARTING,
    "init": SessionStatus.STARTING,
    "initializing": SessionStatus.STARTING,
    "connecting": SessionStatus.STARTING,
    "disconnected": SessionStatus.STOPPED,
    "stopped": SessionStatus.STOPPED,
    "offline": SessionStatus.STOPPED,
    "logged out": SessionStatus.STOPPED,
    "failed": SessionStatus.FAILED,
    "error": SessionStatus.FAILED,
}


def raise_for_response(response: httpx.Response) -> None:
    """Map a failed message-pro answer to a typed error.

    The error body is undocumented; the validation notation in the reference
    (`interactive.sections.*.rows.*.title`) is Laravel's, whose errors read
    `{"message": ..., "errors": {...}}` with 422 for validation: a permanent refusal.
    """
    if response.is_success:
        return
    body = response_json(response)
    message = ""
    if isinstance(body, dict):
        found = body.get("message") or body.get("error")
        message = found if isinstance(found, str) else ""
    raise error_for_status(
        response.status_code,
        message,
        credential=CREDENTIAL,
        retry_after=retry_after_header(response),
    )


def map_status(raw: str) -> SessionStatus:
    word = raw.strip().lower().replace("_", " ").replace("-", " ")
    return STATUS_WORDS.get(word, SessionStatus.UNKNOWN)


def _find(data: Any, keys: tuple[str, ...]) -> Any:
    """The first of `keys` in a body, or in its `data` / `instance` wrapper."""
    if not isinstance(data, dict):
        return None
    for key in keys:
        if data.get(key) not in (None, ""):
            return data[key]
    for wrapper in ("data", "instance"):
        found = _find(data.get(wrapper), keys)
        if found is not None:
            return found
    return None


def _session_state(data: Any) -> SessionState | None:
    raw = data if isinstance(data, str) else _find(data, ("status", "state"))
    if not isinstance(raw, str):
        return None
    return SessionState(status=map_status(raw), raw_status=raw)


def _binary(response: httpx.Response, keys: tuple[str, ...]) -> tuple[bytes, str, str]:
    """(image bytes, mimetype, text value) from an image body or a JSON one holding a data
    URI, bare base64 or, for QR codes, the raw string."""
    mimetype = response.headers.get("Content-Type", "").split(";")[0].strip()
    if mimetype.startswith("image/"):
        return response.content, mimetype, ""
    found = _find(response_json(response), keys)
    if not isinstance(found, str):
        return b"", "", ""
    if found.startswith("data:") and "," in found:
        header, encoded = found.split(",", 1)
        mimetype = header[5:].split(";")[0] or "image/png"
        try:
            return base64.b64decode(encoded, validate=True), mimetype, ""
        except (binascii.Error, ValueError):
            return b"", "", ""
    return b"", "", found


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _queue_fields(payload: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if payload.get("priority") is not None:
        fields["priority"] = int(payload["priority"])
    if payload.get("send_at"):
        fields["send_at"] = _iso(payload["send_at"])
    return fields


def _text(payload: dict[str, Any]) -> dict[str, Any]:
    return {"text": payload["text"]}


def _list(payload: dict[str, Any]) -> dict[str, Any]:
    interactive = {
        "title": payload["title"],
        "button": payload["button_text"],
        "sections": list(payload["sections"]),
    }
    for key in ("description", "footer"):
        if payload.get(key):
            interactive[key] = payload[key]
    body = {"interactive": interactive}
    # Only send-list documents `reply_to`.
    if payload.get("reply_to"):
        body["reply_to"] = payload["reply_to"]
    return body


JSON_SENDS = {MessageKind.TEXT: ("send-message", _text), MessageKind.LIST: ("send-list", _list)}
UPLOAD_SENDS = {
    MessageKind.IMAGE: "send-image",
    MessageKind.DOCUMENT: "send-file",
    MessageKind.VIDEO: "send-video",
}


class MessageProEngine(Engine):
    key = "messagepro"
    label = "message-pro"
    sendable_kinds = frozenset({*JSON_SENDS, *UPLOAD_SENDS})
    capabilities = frozenset(
        {
            Capability.START,
            Capability.RESTART,
            Capability.LOGOUT,
            Capability.RECREATE,
            Capability.QR,
            Capability.SCREENSHOT,
            Capability.LOOKUP_MESSAGE,
        }
    )
    credential_label = "API token"
    session_label = "Instance name"
    default_base_url = "https://api.message-pro.com"

    def build_client(self, transport: httpx.BaseTransport | None) -> httpx.Client:
        headers = {"token": self.config.api_key}
        return build_client(self.config.base_url, headers=headers, transport=transport)

    def check_response(self, response: httpx.Response) -> None:
        raise_for_response(response)

    # Session life.
    def start(self) -> SessionState:
        return self._action("start")

    def restart(self) -> SessionState:
        return self._action("restart")

    def logout(self) -> SessionState:
        return self._action("logout")

    def recreate(self) -> SessionState:
        """Troubleshoot: message-pro resets the session and makes a new one, losing the login."""
        return self._action("troubleshoot")

    def status(self) -> SessionState:
        data = response_json(self.request("GET", f"{self._manage}/status"))
        return _session_state(data) or SessionState(SessionStatus.UNKNOWN)

    def qr(self) -> QrCode:
        response = self.request("GET", f"{self._manage}/qr-code")
        png, _, value = _binary(response, ("qr", "qr_code", "qrcode", "qrCode", "value"))
        if not png and not value:
            raise PermanentError("The gateway sent no QR code Switchboard can read.")
        return QrCode(value=value, png=png)

    def screenshot(self) -> Screenshot:
        response = self.request("GET", f"{self._manage}/screenshot")
        content, mimetype, _ = _binary(response, ("screenshot", "image", "data"))
        if not content:
            raise PermanentError("The gateway sent no screenshot Switchboard can read.")
        return Screenshot(content=content, mimetype=mimetype or "image/png")

    # Messages.
    def send(self, message: SendRequest) -> SendResult:
        """Queue one message on message-pro.

        Text and list messages are JSON. Images, documents and videos are multipart uploads
        of the file itself (field `media`), as the reference documents; message-pro takes no media
        URL. So the payload must carry the bytes as `content` (with `filename` and
        `mimetype`): a payload with only a `url` is refused, because downloading it is not an
        engine's job. `priority` and `send_at` (a datetime or ISO 8601 string) pass through.
        """
        payload = message.payload
        if message.kind in JSON_SENDS:
            action, builder = JSON_SENDS[message.kind]
            body = {"chat_id": message.chat_id, **message.body(builder)}
            body.update(message.body(_queue_fields))
            response = self.request("POST", self._send_path(action), json=body, sends_message=True)
        elif message.kind in UPLOAD_SENDS:
            if not isinstance(payload.get("content"), bytes):
                raise NotSupportedError(
                    f"{self.label} needs the file itself, not a link, to send a "
                    f"{message.kind.value}."
                )
            fields = {"chat_id": message.chat_id, **message.body(_queue_fields)}
            if payload.get("caption"):
                fields["caption"] = payload["caption"]
            media = (
                payload.get("filename") or "file",
                payload["content"],
                payload.get("mimetype") or "application/octet-stream",
            )
            response = self.request(
                "POST",
                self._send_path(UPLOAD_SENDS[message.kind]),
                data={key: str(value) for key, value in fields.items()},
                files={"media": media},
                sends_message=True,
            )
        else:
            raise NotSupportedError(f"{self.label} cannot send a {message.kind.value} message.")
        return _send_result(response_json(response))

    def lookup_message(self, chat_id: str, message_id: str) -> SendResult | None:
        """message-pro's own record of a queued or sent message, by its id."""
        path = f"/api/v2/{self._instance}/messages/{quote(message_id, safe='')}"
        try:
            data = response_json(self.request("GET", path))
        except NotFoundError:
            return None
        result = _send_result(data)
        return result if result.provider_id else SendResult(message_id, result.raw_status)

    # Webhooks.
    @classmethod
    def parse_webhook(cls, headers: dict[str, str], body: bytes) -> list[Event]:
        """The reference documents no webhooks: keep any JSON object as an OTHER event."""
        data = loads_untrusted(body)
        if not isinstance(data, dict):
            raise ValueError("The webhook body is not a JSON object.")
        name = data.get("event") or data.get("type")
        return [
            Event(
                kind=EventKind.OTHER,
                raw_event=name if isinstance(name, str) and name else "unknown",
                event_id=f"sha256:{hashlib.sha256(body).hexdigest()}",
                envelope=data,
            )
        ]

    # Helpers.
    @property
    def _instance(self) -> str:
        return quote(self.config.session, safe="")

    @property
    def _manage(self) -> str:
        return f"/api/v2/instances/{self._instance}"

    def _send_path(self, action: str) -> str:
        return f"/api/v2/{self._instance}/{action}"

    def _action(self, action: str) -> SessionState:
        # The reference declares a JSON content type on these POSTs even without a body.
        data = response_json(self.request("POST", f"{self._manage}/{action}", json={}))
        state = _session_state(data)
        # An answer like `{"status": "success"}` says nothing about the session: ask.
        if state is None or state.status is SessionStatus.UNKNOWN:
            return self.status()
        return state


def _send_result(data: Any) -> SendResult:
    found = _find(data, ("id", "message_id", "uuid"))
    status = _find(data, ("status",))
    return SendResult(
        provider_id=str(found) if isinstance(found, str | int) and found is not True else "",
        raw_status=status if isinstance(status, str) else "",
    )

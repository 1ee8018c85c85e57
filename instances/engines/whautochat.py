"""WhautoChat's Messages API, WhatsApp channel (docs/gateways.md, "WhautoChat").

A send-only cloud gateway: no sessions, QR codes, status or webhooks, so an instance is always
ready (Capability.SEND_ONLY). Auth is the `x-api-key` header; every send names the workspace
(the instance's session name) and a `recepient` (the API's spelling) by phone number.
`scheduleDateTime` is never sent: Switchboard's own queue decides when a message goes.
"""

from __future__ import annotations

import mimetypes
from typing import Any
from urllib.parse import urlsplit

import httpx

from instances.engines.base import (
    AuthenticationError,
    Capability,
    Engine,
    Event,
    MessageKind,
    NotFoundError,
    NotSupportedError,
    PermanentError,
    SendRequest,
    SendResult,
    SessionState,
    SessionStatus,
    WrongGatewayError,
)
from instances.engines.http import (
    build_client,
    error_for_status,
    response_json,
    retry_after_header,
)
from instances.phone_numbers import digits_only

SEND_PATH = "/v1/messages/whatsapp/{action}"
MEDIA_KINDS = frozenset(
    {MessageKind.IMAGE, MessageKind.DOCUMENT, MessageKind.VIDEO, MessageKind.VOICE}
)
READY = "cloud gateway, always ready"
# `MessageResponse.status` values are not documented; these words mean the send was refused.
REFUSED = frozenset({"failed", "error", "rejected", "undelivered"})


def raise_for_response(response: httpx.Response) -> None:
    """Map a failed answer to a typed error; the `error` of a MessageResponse is shown."""
    if response.is_success:
        return
    body = response_json(response)
    message = ""
    if isinstance(body, dict):
        found = body.get("error") or body.get("message")
        message = found if isinstance(found, str) else ""
    raise error_for_status(response.status_code, message, retry_after=retry_after_header(response))


def _text(payload: dict[str, Any]) -> dict[str, Any]:
    return {"textMessage": payload["text"]}


def _media(payload: dict[str, Any]) -> dict[str, Any]:
    url = payload["url"]
    mimetype = payload.get("mimetype") or mimetypes.guess_type(urlsplit(url).path)[0]
    if not mimetype:
        raise ValueError("the file's MIME type is needed and cannot be told from its address")
    return {"mediaUrl": url, "mimeType": mimetype}


def _template(payload: dict[str, Any]) -> dict[str, Any]:
    return {"template": payload["template"]}


SENDS = {
    MessageKind.TEXT: ("sendtext", _text),
    MessageKind.TEMPLATE: ("sendtemplate", _template),
    **{kind: ("sendmedia", _media) for kind in MEDIA_KINDS},
}


class WhautoChatEngine(Engine):
    key = "whautochat"
    label = "WhautoChat (cloud)"
    sendable_kinds = frozenset(SENDS)
    capabilities = frozenset(
        {Capability.SESSIONLESS, Capability.SEND_ONLY, Capability.TEMPLATE_MESSAGES}
    )
    credential_label = "API key"
    session_label = "Workspace ID"
    default_base_url = "https://api.whautochat.com"

    def build_client(self, transport: httpx.BaseTransport | None) -> httpx.Client:
        headers = {"x-api-key": self.config.api_key}
        return build_client(self.config.base_url, headers=headers, transport=transport)

    def check_response(self, response: httpx.Response) -> None:
        raise_for_response(response)

    def status(self) -> SessionState:
        """Nothing to ask: a cloud gateway has no session that could be down."""
        return SessionState(SessionStatus.WORKING, raw_status=READY)

    def test_connection(self) -> SessionState:
        """Check the key with a send that names no recipient and no text.

        The API has no call that only reads, so the probe is a send the gateway must refuse as
        incomplete (a 4xx other than 401/403 means the key was accepted); nothing can go out.
        """
        try:
            self.request("POST", SEND_PATH.format(action="sendtext"), json=self._workspace())
        except AuthenticationError:
            raise
        except NotFoundError:
            raise WrongGatewayError(
                "No WhautoChat Messages API answers at this address.", status_code=404
            ) from None
        except PermanentError:
            pass
        return self.status()

    def send(self, message: SendRequest) -> SendResult:
        if message.kind not in SENDS:
            raise NotSupportedError(f"{self.label} cannot send a {message.kind.value} message.")
        if "@" in message.chat_id and not message.chat_id.endswith("@c.us"):
            raise NotSupportedError(f"{self.label} sends to phone numbers only, not to groups.")
        action, builder = SENDS[message.kind]
        body = {
            "recepient": {"phoneNumber": f"+{digits_only(message.chat_id.split('@', 1)[0])}"},
            **self._workspace(),
            **message.body(builder),
        }
        response = self.request(
            "POST", SEND_PATH.format(action=action), json=body, sends_message=True
        )
        return _send_result(response_json(response))

    @classmethod
    def parse_webhook(cls, headers: dict[str, str], body: bytes) -> list[Event]:
        raise ValueError("WhautoChat sends no webhooks to Switchboard.")

    def _workspace(self) -> dict[str, Any]:
        return {"workspace": {"id": self.config.session}}


def _send_result(data: Any) -> SendResult:
    """`{id, status, error}`: an `error` or a refusing status is a permanent failure."""
    if not isinstance(data, dict):
        raise PermanentError("The gateway sent an answer Switchboard cannot read.")
    error, status = data.get("error"), data.get("status")
    status = status if isinstance(status, str) else ""
    if isinstance(error, str) and error.strip():
        raise PermanentError(error.strip(), code=status)
    if status.lower() in REFUSED:
        raise PermanentError(f"The gateway refused the message ({status}).", code=status)
    found = data.get("id")
    return SendResult(
        provider_id=str(found) if isinstance(found, str | int) else "", raw_status=status
    )

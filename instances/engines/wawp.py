"""Wawp (https://wawp.net), a hosted WAHA, through its `/v2/...` API (docs/gateways.md, "Wawp").

Every call carries `instance_id` and `access_token` as query parameters, the only
authentication Wawp documents. A token in a URL leaks through logs, so: message content
always travels in POST/PUT bodies, errors name the host only, and httpx's
own request log line has the token blanked (below). Wawp cannot register a webhook through
its API: the dashboard shows the URL to paste into Wawp's settings. The
webhooks themselves are WAHA's envelope, read by `waha_webhooks`.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
from typing import Any

import httpx

from instances.engines import waha_webhooks
from instances.engines.base import (
    AuthenticationError,
    Capability,
    CheckResult,
    Engine,
    EngineError,
    Event,
    MessageKind,
    NotFoundError,
    NotSupportedError,
    PermanentError,
    QrCode,
    RetryableError,
    SendRequest,
    SendResult,
    SessionState,
    WrongStateError,
)
from instances.engines.http import (
    build_client,
    error_for_status,
    hide_query_value_in_logs,
    response_json,
    retry_after_header,
)
from instances.engines.waha import describe_wrong_state
from instances.engines.waha_groups import WahaGroups
from instances.engines.wawp_sends import SEND_ROUTES
from instances.phone_numbers import digits_only

CREDENTIAL = "access token"

# Wawp's documented error `code`s and what each means here.
ERROR_CODES: dict[str, type[EngineError]] = {
    "missing_param": PermanentError,
    "invalid_param": PermanentError,
    "invalid_chat_id": PermanentError,
    "quota_reached": PermanentError,
    "invalid_access_token": AuthenticationError,
    "unauthorized": AuthenticationError,
    "invalid_session": NotFoundError,
    "session_unexpected_status": WrongStateError,
    "rate_limit_exceeded": RetryableError,
    "server_error": RetryableError,
    "proxy_error": RetryableError,
}

# The plain-text error variant: "Error: missing_param. Missing required parameter: chatId. ..."
_TEXT_ERROR = re.compile(r"^Error:\s*([a-z_]+)\.\s*(.*)$", re.DOTALL)


hide_query_value_in_logs("access_token")


def raise_for_response(response: httpx.Response) -> None:
    """Map a failed Wawp answer (JSON, XML, plain text or HTML) to a typed error."""
    if response.is_success:
        return
    status = response.status_code
    code, message, details = _error_parts(response)
    retry_after = _seconds(details.get("retryAfter")) or retry_after_header(response)
    error_class = ERROR_CODES.get(code) or (WrongStateError if status == 422 else None)
    if error_class is None:
        raise error_for_status(
            status, message, credential=CREDENTIAL, retry_after=retry_after, code=code
        )
    if error_class is AuthenticationError:
        raise AuthenticationError(
            f"The gateway refused the {CREDENTIAL}.", status_code=status, code=code
        )
    if error_class is RetryableError:
        raise RetryableError(
            message or f"The gateway failed (HTTP {status}).",
            retry_after=retry_after,
            status_code=status,
            code=code,
        )
    if error_class is WrongStateError:
        # `code` carries the state the session is in, as the waha engine's does.
        current = details.get("current_status")
        raise WrongStateError(
            describe_wrong_state(message, current, details.get("expected_status")),
            status_code=status,
            code=current if isinstance(current, str) else code,
        )
    recommendation = details.get("recommendation")
    if error_class is PermanentError and isinstance(recommendation, str) and message:
        message = f"{message} {recommendation}"
    raise error_class(
        message or f"The gateway refused the request ({code}).", status_code=status, code=code
    )


def _error_parts(response: httpx.Response) -> tuple[str, str, dict[str, Any]]:
    """(code, message, details) from whichever format Wawp chose (docs/gateways.md, "Wawp")."""
    body = response_json(response)
    if isinstance(body, dict):
        details = body.get("details")
        return (
            str(body.get("code") or ""),
            str(body.get("message") or ""),
            details if isinstance(details, dict) else {},
        )
    text = response.text.strip()
    if text.startswith(("<?xml", "<error")):
        return _xml_field(text, "code"), _xml_field(text, "message"), {}
    plain = _TEXT_ERROR.match(text)
    if plain:
        return plain.group(1), plain.group(2), {}
    # An HTML error page (Wawp's documented 500) or anything else: nothing worth showing.
    return "", "", {}


def _xml_field(text: str, tag: str) -> str:
    found = re.search(rf"<{tag}>\s*([^<]*?)\s*</{tag}>", text)
    return html.unescape(found.group(1)) if found else ""


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    return float(value)


class WawpEngine(WahaGroups, Engine):
    key = "wawp"
    label = "Wawp (hosted WAHA)"
    sendable_kinds = frozenset(SEND_ROUTES)
    capabilities = frozenset(
        {
            Capability.START,
            Capability.STOP,
            Capability.RESTART,
            Capability.LOGOUT,
            Capability.DELETE,
            Capability.QR,
            Capability.PAIRING_CODE,
            Capability.CHECK_EXISTS,
            Capability.TYPING,
            Capability.CREATE_GROUP,
            Capability.GROUPS,
        }
    )
    credential_label = "Access token"
    # Seed 001, "Groups": WAHA's routes under /v2/groups, creation at /v2/groups/create.
    create_path_suffix = "/create"
    session_label = "Instance ID"
    default_base_url = "https://api.wawp.net"

    def build_client(self, transport: httpx.BaseTransport | None) -> httpx.Client:
        params = {"access_token": self.config.api_key}
        if self.config.session:
            params["instance_id"] = self.config.session
        return build_client(self.config.base_url, params=params, transport=transport)

    def check_response(self, response: httpx.Response) -> None:
        raise_for_response(response)

    # Session life. `create` keeps the base behaviour: the configured instance exists already.
    def start(self) -> SessionState:
        return self._action("start")

    def stop(self) -> SessionState:
        return self._action("stop")

    def restart(self) -> SessionState:
        return self._action("restart")

    def logout(self) -> SessionState:
        return self._action("logout")

    def delete(self) -> None:
        """Delete the instance on Wawp. Irreversible: the instance id is gone for good."""
        self.request("DELETE", "/v2/session/delete")

    def status(self) -> SessionState:
        # `info` is POST-only and "the source of truth for connection status" (Wawp's reference).
        return waha_webhooks.session_state(response_json(self.request("POST", "/v2/session/info")))

    def qr(self) -> QrCode:
        value = _qr_value(response_json(self.request("GET", "/v2/auth/qr")))
        if value:
            return QrCode(value=value)
        png = _data_uri_bytes(response_json(self.request("GET", "/v2/auth/qr-image")))
        if not png:
            raise PermanentError("The gateway sent no QR code Switchboard can read.")
        return QrCode(png=png)

    def pairing_code(self, phone: str) -> str:
        data = self._json(
            "POST", "/v2/auth/request-code", json={"phone_number": digits_only(phone)}
        )
        code = data.get("code")
        if not isinstance(code, str) or not code:
            raise PermanentError("The gateway sent no pairing code.")
        return code

    # Messages and contacts.
    def send(self, message: SendRequest) -> SendResult:
        """Send one message. Wawp documents no client-chosen ids, so `client_id` is not sent."""
        if message.kind not in SEND_ROUTES:
            raise NotSupportedError(f"{self.label} cannot send a {message.kind.value} message.")
        method, path, builder = SEND_ROUTES[message.kind]
        body = {"chatId": message.chat_id, **message.body(builder)}
        if message.payload.get("reply_to") and message.kind is not MessageKind.REACTION:
            body["reply_to"] = message.payload["reply_to"]
        data = response_json(self.request(method, path, json=body, sends_message=True))
        # Wawp's XML and plain-text success variants carry no message id.
        provider_id = waha_webhooks.serialized_id(data.get("id")) if isinstance(data, dict) else ""
        return SendResult(provider_id=provider_id)

    def check_exists(self, phone: str) -> CheckResult:
        data = self._json("GET", "/v2/contacts/check-exists", params={"phone": digits_only(phone)})
        jid = data.get("jid")
        return CheckResult(
            exists=bool(data.get("exists")), chat_id=jid if isinstance(jid, str) else ""
        )

    # Acting human. Wawp's `/v2/send/seen` needs the ids of the messages to mark, which a send
    # does not have, so only typing is offered (seed 001, "Start Typing", "Stop Typing").
    def start_typing(self, chat_id: str) -> None:
        self.request("POST", "/v2/send/start-typing", json={"chatId": chat_id})

    def stop_typing(self, chat_id: str) -> None:
        self.request("POST", "/v2/send/stop-typing", json={"chatId": chat_id})

    # Webhooks.
    @classmethod
    def parse_webhook(cls, headers: dict[str, str], body: bytes) -> list[Event]:
        return waha_webhooks.parse_envelope(body)

    # Helpers.
    def groups_path(self) -> str:
        return "/v2/groups"

    def _action(self, action: str) -> SessionState:
        data = response_json(self.request("POST", f"/v2/session/{action}"))
        if isinstance(data, dict) and "status" in data:
            return waha_webhooks.session_state(data)
        # A plain-text or XML success says nothing about the state: ask.
        return self.status()

    def _json(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        data = response_json(self.request(method, url, **kwargs))
        if not isinstance(data, dict):
            raise PermanentError("The gateway sent an answer Switchboard cannot read.")
        return data


def _qr_value(data: Any) -> str:
    """The QR string: `data` is base64 of `{"value": "2@...", "expiry": <s>}`."""
    if not isinstance(data, dict) or not isinstance(data.get("data"), str):
        return ""
    try:
        decoded = json.loads(base64.b64decode(data["data"], validate=True))
    except (binascii.Error, ValueError):
        return ""
    value = decoded.get("value") if isinstance(decoded, dict) else None
    return value if isinstance(value, str) else ""


def _data_uri_bytes(data: Any) -> bytes:
    """The PNG inside `{"qr": "data:image/png;base64,..."}`."""
    uri = data.get("qr") if isinstance(data, dict) else None
    if not isinstance(uri, str) or "," not in uri:
        return b""
    try:
        return base64.b64decode(uri.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        return b""

"""WAHA, the self-hosted WhatsApp HTTP API (https://waha.devlike.pro).

Paths and field names follow the OpenAPI document of a real WAHA Core 2024.10.8 server and
WAHA's current docs; docs/gateways.md records the wire format and what differs by version.
What the server can do is read from `GET /api/version` (waha_versions.py).
"""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from instances.engines import waha_versions, waha_webhooks
from instances.engines.base import (
    AuthenticationError,
    Capability,
    CheckResult,
    Engine,
    Event,
    NotFoundError,
    NotSupportedError,
    PermanentError,
    QrCode,
    Screenshot,
    SendRequest,
    SendResult,
    ServerInfo,
    SessionState,
    SessionStatus,
    WrongGatewayError,
    WrongStateError,
)
from instances.engines.http import (
    build_client,
    error_for_status,
    gateway_address,
    response_json,
    retry_after_header,
    transport_error,
)
from instances.engines.waha_groups import WahaGroups
from instances.engines.waha_sends import SEND_ROUTES, sent_message_id
from instances.phone_numbers import digits_only

# `message.any` already carries incoming messages; subscribing to `message` too would deliver
# each of them twice (docs/gateways.md). Servers that do not know a name get the others only.
WEBHOOK_EVENTS = (
    "session.status",
    "message.any",
    "message.ack",
    "message.reaction",
    "message.revoked",
    "message.edited",
)
# Backing off exponentially from 2 s over 10 attempts rides out a deploy or a restart of
# Switchboard without hammering it while it is down.
WEBHOOK_RETRIES = {"policy": "exponential", "delaySeconds": 2, "attempts": 10}
# Asking for a QR or a pairing code in the wrong state can hang without any answer (a pairing
# code while STARTING on Core 2024.10.8), so those calls give up quickly.
LOGIN_TIMEOUT = 10.0

CREDENTIAL = "API key"


def raise_for_response(response: httpx.Response) -> None:
    """Map a failed WAHA answer to a typed error whose message is safe to show."""
    if response.is_success:
        return
    body = response_json(response)
    body = body if isinstance(body, dict) else {}
    status = response.status_code
    message = _message(body)
    if status == 422:
        # Wrong state: `{"error": "Session status is not as expected...", "status": "STARTING",
        # "expected": ["SCAN_QR_CODE"]}`; an existing session: `{"message": "... already
        # exists..."}` (docs/gateways.md). `code` carries the state the session is in.
        current = body.get("status") if isinstance(body.get("status"), str) else ""
        raise WrongStateError(
            describe_wrong_state(message, current, body.get("expected")),
            status_code=status,
            code=current,
        )
    raise error_for_status(
        status, message, credential=CREDENTIAL, retry_after=retry_after_header(response)
    )


def _message(body: dict[str, Any]) -> str:
    # NestJS puts validation failures in `message` as a list (docs/gateways.md).
    message = body.get("message")
    if isinstance(message, list):
        message = "; ".join(str(item) for item in message)
    if not isinstance(message, str) or not message:
        message = body.get("error") if isinstance(body.get("error"), str) else ""
    return message


def describe_wrong_state(message: str, current: Any, expected: Any) -> str:
    """`Session status is not as expected ... (status STARTING, expected SCAN_QR_CODE)`."""
    message = message or "The session is not in a state that allows this."
    if not isinstance(current, str) or not current:
        return message
    wanted = ", ".join(map(str, expected)) if isinstance(expected, list) else ""
    detail = f"status {current}, expected {wanted}" if wanted else f"status {current}"
    return f"{message} ({detail})"


class WahaEngine(WahaGroups, Engine):
    key = "waha"
    label = "WAHA (self-hosted)"
    sendable_kinds = frozenset(SEND_ROUTES)
    capabilities = frozenset(
        {
            Capability.START,
            Capability.STOP,
            Capability.RESTART,
            Capability.LOGOUT,
            Capability.RECREATE,
            Capability.DELETE,
            Capability.QR,
            Capability.PAIRING_CODE,
            Capability.SCREENSHOT,
            Capability.CHECK_EXISTS,
            Capability.CONFIGURE_WEBHOOK,
            Capability.SIGNED_WEBHOOKS,
            Capability.LOOKUP_MESSAGE,
            Capability.DOWNLOAD_MEDIA,
            Capability.LOOKUP_LID,
            Capability.SEEN,
            Capability.TYPING,
            Capability.CREATE_GROUP,
            Capability.GROUPS,
        }
    )
    credential_label = CREDENTIAL
    session_label = "Session name"
    default_base_url = "http://localhost:3000"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._server: ServerInfo | None = None
        # Set when the server could not say who it is, so it is not asked before every send.
        self._server_unknown = False

    @classmethod
    def capabilities_for(cls, server: ServerInfo | None) -> frozenset[Capability]:
        features = waha_versions.features_for(server)
        missing = set()
        if not features.signs_webhooks:
            missing.add(Capability.SIGNED_WEBHOOKS)
        if not features.message_lookup:
            missing.add(Capability.LOOKUP_MESSAGE)
        return cls.capabilities - missing

    def server_info(self) -> ServerInfo:
        """`GET /api/version`, read strictly: only WAHA answers `{version, engine, tier}`.

        Anything else that answers (another app's page or JSON, a proxy's 404) is a
        WrongGatewayError, so a wrong address is not mistaken for a wrong key.
        """
        address = gateway_address(self.client.base_url)
        not_waha = WrongGatewayError(
            f"Something answers at {address}, but it is not WAHA: "
            "it did not say which WAHA version it runs (GET /api/version)."
        )
        try:
            response = self.request("GET", "/api/version")
        except AuthenticationError:
            raise
        except PermanentError:
            raise not_waha from None
        data = response_json(response)
        data = data if isinstance(data, dict) else {}
        version, engine, tier = data.get("version"), data.get("engine"), data.get("tier")
        if not isinstance(version, str) or not isinstance(engine, str):
            raise not_waha
        if waha_versions.parse_version(version) is None:
            raise not_waha
        tier = tier if isinstance(tier, str) else ""
        self._server = ServerInfo(version=version[:40], engine=engine[:20], tier=tier[:20])
        return self._server

    @property
    def features(self) -> waha_versions.WahaFeatures:
        """What this server can do; asked once per engine, current behaviour if it cannot say."""
        if self._server is None and not self._server_unknown:
            try:
                self.server_info()
            except WrongGatewayError:
                self._server_unknown = True
        return waha_versions.features_for(self._server)

    def test_connection(self) -> SessionState:
        """Prove the address is WAHA and the key works (`/api/version`), then read the session."""
        if self._server is None:
            self.server_info()
        return super().test_connection()

    def build_client(self, transport: httpx.BaseTransport | None) -> httpx.Client:
        headers = {"X-Api-Key": self.config.api_key} if self.config.api_key else {}
        return build_client(self.config.base_url, headers=headers, transport=transport)

    def check_response(self, response: httpx.Response) -> None:
        raise_for_response(response)

    # Session life.
    def create(self) -> SessionState:
        """Create the session with Switchboard's webhook and start it; adopt one that exists.

        An existing session only gets a PUT when its webhook differs, because a PUT restarts a
        running session; a stopped one is then started.
        """
        body: dict[str, Any] = {"name": self.config.session, "start": True}
        webhooks = self._webhooks(self.config.webhook_url, self.config.webhook_secret)
        if webhooks:
            body["config"] = {"webhooks": webhooks}
        try:
            return waha_webhooks.session_state(self._json("POST", "/api/sessions", json=body))
        except WrongStateError as exc:
            if "already exists" not in exc.message:
                raise
        info = self._json("GET", self._session_path())
        if webhooks:
            info = self._update_webhooks(info, webhooks)
        if waha_webhooks.session_status(info.get("status")) is SessionStatus.STOPPED:
            return self.start()
        return waha_webhooks.session_state(info)

    def start(self) -> SessionState:
        return self._action("start")

    def stop(self) -> SessionState:
        """Stopping a session that is not there is not a failure: there is nothing to stop.

        WAHA says so in several ways: 404, or 201 with an empty body (Core 2024.10.8).
        """
        try:
            response = self.request("POST", f"{self._session_path()}/stop")
        except NotFoundError:
            return SessionState(SessionStatus.STOPPED, raw_status="not on the engine")
        data = response_json(response)
        if not isinstance(data, dict) and not response.content.strip():
            return SessionState(SessionStatus.STOPPED, raw_status="not on the engine")
        return waha_webhooks.session_state(self._readable(data))

    def restart(self) -> SessionState:
        return self._action("restart")

    def logout(self) -> SessionState:
        return self._action("logout")

    def recreate(self) -> SessionState:
        """Stop, delete and create the session again with the current webhook settings.

        This loses the WhatsApp login: the new session asks for a QR scan (or pairing code).
        Use it when restart, and logout + start, have not brought a session back.
        """
        self.stop()
        self.delete()
        return self.create()

    def delete(self) -> None:
        """A session that is already gone counts as deleted (404, or 200 with no body)."""
        with contextlib.suppress(NotFoundError):
            self.request("DELETE", self._session_path())

    def status(self) -> SessionState:
        return waha_webhooks.session_state(self._json("GET", self._session_path()))

    def qr(self) -> QrCode:
        self._require_scan_state("a QR code")
        data = self._json(
            "GET",
            f"/api/{self._session}/auth/qr",
            params={"format": "raw"},
            timeout=LOGIN_TIMEOUT,
        )
        return QrCode(value=_required_str(data, "value"))

    def pairing_code(self, phone: str) -> str:
        self._require_scan_state("a pairing code")
        data = self._json(
            "POST",
            f"/api/{self._session}/auth/request-code",
            json={"phoneNumber": digits_only(phone)},
            timeout=LOGIN_TIMEOUT,
        )
        return _required_str(data, "code")

    def _require_scan_state(self, what: str) -> None:
        # Asked in any other state WAHA waits ~5 s and refuses, or never answers at all.
        try:
            state = self.status()
        except NotFoundError:
            state = SessionState(SessionStatus.STOPPED, raw_status="not started")
        if state.status is not SessionStatus.SCAN_QR_CODE:
            current = state.raw_status or state.status.value
            raise WrongStateError(
                f"The session is {current}: {what} is only available while it waits for a "
                "scan (SCAN_QR_CODE). Start the session and try again in a few seconds.",
                code=current,
            )

    def screenshot(self) -> Screenshot:
        response = self.request(
            "GET",
            "/api/screenshot",
            params={"session": self.config.session},
            headers={"Accept": "image/png"},
        )
        mimetype = response.headers.get("Content-Type", "image/png").split(";")[0].strip()
        return Screenshot(content=response.content, mimetype=mimetype or "image/png")

    # Messages and contacts.
    def send(self, message: SendRequest) -> SendResult:
        if message.kind not in SEND_ROUTES:
            raise NotSupportedError(f"{self.label} cannot send a {message.kind.value} message.")
        features = self.features
        if message.kind in features.refused_kinds:
            raise NotSupportedError(
                f"This WAHA server ({self._server}) cannot send {message.kind.value} messages; "
                "its version or tier does not allow them."
            )
        method, path, builder = SEND_ROUTES[message.kind]
        body = {"session": self.config.session, "chatId": message.chat_id}
        body.update(message.body(builder))
        if message.payload.get("reply_to"):
            body["reply_to"] = message.payload["reply_to"]
        if message.client_id and features.client_ids:
            body["id"] = message.client_id
        response = self.request(method, path, json=body, sends_message=True)
        data = response_json(response)
        raw_status = data.get("ackName") if isinstance(data, dict) else None
        return SendResult(
            provider_id=sent_message_id(data),
            raw_status=raw_status if isinstance(raw_status, str) else "",
        )

    def check_exists(self, phone: str) -> CheckResult:
        data = self._json(
            "GET",
            "/api/contacts/check-exists",
            params={"phone": digits_only(phone), "session": self.config.session},
        )
        chat_id = data.get("chatId")
        return CheckResult(
            exists=bool(data.get("numberExists")),
            chat_id=chat_id if isinstance(chat_id, str) else "",
        )

    def lookup_message(self, chat_id: str, message_id: str) -> SendResult | None:
        """None only when the server says it has no such message; never for a missing route,
        because "not found" decides that an unconfirmed send did not go out."""
        no_lookup = NotSupportedError(f"This WAHA server ({self._server}) cannot look up messages.")
        if not self.features.message_lookup:
            raise no_lookup
        path = f"/api/{self._session}/chats/{_segment(chat_id)}/messages/{_segment(message_id)}"
        try:
            data = self._json("GET", path, params={"downloadMedia": "false"})
        except NotFoundError as exc:
            if exc.message.startswith("Cannot GET"):
                raise no_lookup from None
            return None
        ack_name = data.get("ackName")
        return SendResult(
            provider_id=waha_webhooks.serialized_id(data.get("id")) or message_id,
            raw_status=ack_name if isinstance(ack_name, str) else "",
        )

    def download_media(self, url: str, max_bytes: int) -> bytes:
        """`GET /api/files/...` with the key (docs/gateways.md: media URLs need it), streamed so
        a file past `max_bytes` is abandoned unread."""
        path = _path_on_gateway(url, str(self.client.base_url))
        try:
            with self.client.stream("GET", path) as response:
                if not response.is_success:
                    response.read()
                    self.check_response(response)
                declared = int(response.headers.get("Content-Length") or 0)
                if declared > max_bytes:
                    raise PermanentError(_too_large(max_bytes))
                content = bytearray()
                for chunk in response.iter_bytes():
                    content.extend(chunk)
                    if len(content) > max_bytes:
                        raise PermanentError(_too_large(max_bytes))
                return bytes(content)
        except httpx.HTTPError as exc:
            address = gateway_address(self.client.base_url)
            raise transport_error(exc, address=address, sends_message=False) from None

    def lookup_lid(self, lid: str) -> str:
        """`GET /api/{session}/lids/{lid}` -> `{lid, pn}`; servers before 2025 lack the route."""
        try:
            data = self._json("GET", f"/api/{self._session}/lids/{_segment(lid)}")
        except NotFoundError as exc:
            if exc.message.startswith("Cannot GET"):
                raise self._unsupported("look up a LID") from None
            return ""
        phone = data.get("pn")
        return phone if isinstance(phone, str) and phone.endswith("@c.us") else ""

    # Acting human: `POST /api/sendSeen|startTyping|stopTyping` with `{session, chatId}`, in
    # every release since Core 2024.10.8 (its OpenAPI document, docs/gateways.md).
    def send_seen(self, chat_id: str) -> None:
        self._chat_action("/api/sendSeen", chat_id)

    def start_typing(self, chat_id: str) -> None:
        self._chat_action("/api/startTyping", chat_id)

    def stop_typing(self, chat_id: str) -> None:
        self._chat_action("/api/stopTyping", chat_id)

    def _chat_action(self, path: str, chat_id: str) -> None:
        self.request("POST", path, json={"session": self.config.session, "chatId": chat_id})

    # Webhooks.
    def configure_webhook(self, url: str, secret: str) -> None:
        info = self._json("GET", self._session_path())
        self._update_webhooks(info, self._webhooks(url, secret))

    @classmethod
    def parse_webhook(cls, headers: dict[str, str], body: bytes) -> list[Event]:
        return waha_webhooks.parse_envelope(body)

    # Helpers.
    def groups_path(self) -> str:
        return f"/api/{self._session}/groups"

    @property
    def _session(self) -> str:
        return _segment(self.config.session)

    def _session_path(self) -> str:
        return f"/api/sessions/{self._session}"

    def _action(self, action: str) -> SessionState:
        data = self._json("POST", f"{self._session_path()}/{action}")
        return waha_webhooks.session_state(data)

    def _json(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        return self._readable(response_json(self.request(method, url, **kwargs)))

    @staticmethod
    def _readable(data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise PermanentError("The gateway sent an answer Switchboard cannot read.")
        return data

    def _webhooks(self, url: str, secret: str) -> list[dict[str, Any]]:
        if not url:
            return []
        features = self.features
        webhook: dict[str, Any] = {
            "url": url,
            "events": [event for event in WEBHOOK_EVENTS if features.accepts_event(event)],
            "retries": dict(WEBHOOK_RETRIES),
        }
        # Servers that cannot sign store the key and ignore it; leaving it out keeps their
        # config honest. The URL carries the secret either way.
        if secret and features.signs_webhooks:
            webhook["hmac"] = {"key": secret}
        return [webhook]

    def _update_webhooks(
        self, info: dict[str, Any], webhooks: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """PUT the webhooks unless the session already has them; returns the session info.

        A PUT replaces the whole config (docs/gateways.md), so the rest of it (proxy, metadata, ...)
        is sent back unchanged.
        """
        config = info.get("config") if isinstance(info.get("config"), dict) else {}
        if _comparable(config.get("webhooks")) == _comparable(webhooks):
            return info
        body = {"config": {**config, "webhooks": webhooks}}
        return self._json("PUT", self._session_path(), json=body)


def _path_on_gateway(url: str, base_url: str) -> str:
    """The part of a media URL below the gateway's address; the engine may announce itself
    under another host name (WAHA's WHATSAPP_API_HOSTNAME), and the key goes only to ours."""
    if url.startswith(base_url.rstrip("/") + "/"):
        url = url[len(base_url.rstrip("/")) :]
    parts = urlsplit(url)
    if not parts.path.startswith("/") or ".." in parts.path.split("/"):
        raise PermanentError("The engine announced a media address Switchboard cannot use.")
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _too_large(max_bytes: int) -> str:
    return f"The file is larger than the {max_bytes // 1_048_576 or 1} MB limit."


def _segment(value: str) -> str:
    """One path segment: `@` stays readable, `/` and friends cannot escape the path."""
    return quote(value, safe="@")


def _required_str(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise PermanentError("The gateway sent an answer Switchboard cannot read.")
    return value


def _comparable(webhooks: Any) -> list[tuple[Any, ...]]:
    """The parts of a webhook config Switchboard sets, in a form that compares reliably."""
    if not isinstance(webhooks, list):
        return []
    result = []
    for hook in webhooks:
        if not isinstance(hook, dict):
            continue
        hmac = hook.get("hmac") if isinstance(hook.get("hmac"), dict) else {}
        retries = hook.get("retries") if isinstance(hook.get("retries"), dict) else {}
        result.append(
            (
                hook.get("url"),
                tuple(sorted(str(event) for event in hook.get("events") or [])),
                hmac.get("key") or "",
                tuple(sorted(retries.items())),
            )
        )
    return sorted(result, key=repr)

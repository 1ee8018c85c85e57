"""A chat-api simulator (seed 003, docs/gateways.md "chat-api") for the demo and the tests.

One instance, `/instance{id}/<method>?token=...`. The account shows a QR code until it is
"scanned" (`scan()`, or `POST /simulator/scan?token=...`); then the gateway's own queue drains
at once unless `hold` is set: each queued message goes into the history with a message number
and a webhook posts it with its `delivered` and `viewed` acks.
"""

from __future__ import annotations

import base64
import hmac
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from .companion import CompanionSimulator
from .images import qr_png
from .transport import Request, Response, json_response

DEFAULT_TOKEN = "switchboard-chatapi-token"  # noqa: S105 - the demo token of a local fake
DEFAULT_INSTANCE = "1001"


@dataclass
class Queued:
    number: int
    chat_id: str
    body: str
    kind: str
    filename: str = ""
    caption: str = ""
    last_try_ms: int = field(default_factory=lambda: int(time.time() * 1000))


class ChatApiSimulator(CompanionSimulator):
    name = "chatapi"

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = DEFAULT_TOKEN,
        instance: str = DEFAULT_INSTANCE,
        authenticated: bool = False,
        hold: bool = False,
    ) -> None:
        super().__init__(host=host, port=port)
        self.token, self.instance = token, instance
        self.account_status = "authenticated" if authenticated else "got qr code"
        self.hold = hold
        self.webhook_url = ""
        self.queue: list[Queued] = []
        self.history: list[dict[str, Any]] = []
        self.groups: list[dict[str, Any]] = []
        self._numbers = itertools.count(1)
        self._ids = itertools.count(0xA1000)

    # Control, for tests and the demo.
    def scan(self) -> None:
        with self.lock:
            self.account_status = "authenticated"
            self._drain()

    def release(self) -> None:
        """Stop holding the queue and send what waits."""
        with self.lock:
            self.hold = False
            self._drain()

    def receive(self, chat_id: str, text: str, sender_name: str = "Customer") -> dict[str, Any]:
        """An incoming message from `chat_id`, into the history and the webhook."""
        with self.lock:
            entry = self._history_entry(chat_id, text, "chat", from_me=False, name=sender_name)
            self.post_webhook(self.webhook_url, {"messages": [entry]})
            return entry

    # HTTP.
    def handle(self, request: Request) -> Response:
        if not hmac.compare_digest(request.query.get("token", "").encode(), self.token.encode()):
            return json_response(
                403, {"error": "Wrong token. Please provide token as a GET parameter."}
            )
        if request.path == "/simulator/scan" and request.method == "POST":
            self.scan()
            return json_response(200, {"accountStatus": self.account_status})
        prefix = f"/instance{self.instance}/"
        if not request.path.startswith(prefix):
            return json_response(404, {"error": "Instance not found"})
        method = request.path[len(prefix) :]
        handler = ROUTES.get((request.method, method))
        if handler is None:
            return json_response(404, {"error": f"Unknown method {method}"})
        try:
            body = request.json() if request.method == "POST" else {}
        except Exception:
            return json_response(400, {"error": "Body is not JSON"})
        if not isinstance(body, dict):
            return json_response(400, {"error": "Body must be a JSON object"})
        with self.lock:
            return handler(self, request, body)

    def status(self, request: Request, body: dict) -> Response:
        answer: dict[str, Any] = {"accountStatus": self.account_status}
        if self.account_status == "got qr code":
            answer["qrCode"] = "data:image/png;base64," + base64.b64encode(self._qr()).decode()
        return json_response(200, answer)

    def qr_code(self, request: Request, body: dict) -> Response:
        return Response(200, self._qr(), content_type="image/png")

    def set_webhook(self, request: Request, body: dict) -> Response:
        url = body.get("webhookUrl")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            return json_response(400, {"error": "webhookUrl must be an http or https URL"})
        self.webhook_url = url
        return json_response(200, {"set": True, "webhookUrl": url})

    def get_webhook(self, request: Request, body: dict) -> Response:
        return json_response(200, {"set": bool(self.webhook_url), "webhookUrl": self.webhook_url})

    def send_message(self, request: Request, body: dict) -> Response:
        return self._enqueue(body, "chat")

    def send_file(self, request: Request, body: dict) -> Response:
        if not isinstance(body.get("filename"), str) or not body["filename"]:
            return json_response(400, {"sent": False, "message": "filename is required"})
        return self._enqueue(body, "document")

    def messages(self, request: Request, body: dict) -> Response:
        if "last" in request.query:
            found = self.history[-100:]
        else:
            try:
                after = int(request.query.get("lastMessageNumber", "0"))
            except ValueError:
                return json_response(400, {"error": "lastMessageNumber must be a number"})
            found = [entry for entry in self.history if entry["messageNumber"] > after]
        last = self.history[-1]["messageNumber"] if self.history else 0
        return json_response(200, {"messages": found, "lastMessageNumber": last})

    def show_queue(self, request: Request, body: dict) -> Response:
        first = [
            {
                "id": item.number,
                "body": item.body,
                "type": "text" if item.kind == "chat" else item.kind,
                "chatId": item.chat_id,
                "last_try": item.last_try_ms,
                "metadata": "{}",
            }
            for item in self.queue[:100]
        ]
        return json_response(200, {"totalMessages": len(self.queue), "first100": first})

    def clear_queue(self, request: Request, body: dict) -> Response:
        cleared, self.queue = self.queue, []
        return json_response(
            200,
            {
                "message": f"Cleared {len(cleared)} messages",
                "messageTextsExample": [item.body for item in cleared[:10]],
            },
        )

    def logout(self, request: Request, body: dict) -> Response:
        self.account_status = "got qr code"
        return json_response(200, {"result": "Logout request sent to messengers"})

    def reboot(self, request: Request, body: dict) -> Response:
        return json_response(200, {"success": True})

    def group(self, request: Request, body: dict) -> Response:
        name, phones = body.get("groupName"), body.get("phones")
        if not isinstance(name, str) or not name or not isinstance(phones, list):
            return json_response(400, {"error": "groupName and phones are required"})
        chat_id = f"{phones[0] if phones else '0'}-{next(self._ids)}@g.us"
        self.groups.append({"chatId": chat_id, **body})
        return json_response(200, {"created": True, "chatId": chat_id})

    # Helpers.
    def _enqueue(self, body: dict, kind: str) -> Response:
        phone, chat_id = body.get("phone"), body.get("chatId")
        if bool(phone) == bool(chat_id):
            return json_response(
                400, {"sent": False, "message": "Give exactly one of phone or chatId"}
            )
        text = body.get("body")
        if not isinstance(text, str) or not text:
            return json_response(400, {"sent": False, "message": "body is required"})
        target = chat_id if chat_id else f"{''.join(c for c in str(phone) if c.isdigit())}@c.us"
        self.queue.append(
            Queued(
                next(self._numbers),
                str(target),
                text,
                kind,
                filename=str(body.get("filename") or ""),
                caption=str(body.get("caption") or ""),
            )
        )
        self._drain()
        return json_response(200, {"sent": True, "message": "ok"})

    def _drain(self) -> None:
        if self.hold or self.account_status != "authenticated":
            return
        while self.queue:
            item = self.queue.pop(0)
            entry = self._history_entry(item.chat_id, item.body, item.kind, from_me=True)
            acks = [
                {
                    "id": entry["id"],
                    "queueNumber": item.number,
                    "chatId": item.chat_id,
                    "status": word,
                }
                for word in ("delivered", "viewed")
            ]
            self.post_webhook(self.webhook_url, {"messages": [entry], "ack": acks})

    def _history_entry(
        self, chat_id: str, body: str, kind: str, *, from_me: bool, name: str = "Switchboard"
    ) -> dict[str, Any]:
        number = len(self.history) + 1
        me = f"{self.instance}@c.us"
        entry = {
            "id": f"{str(from_me).lower()}_{chat_id}_{next(self._ids):X}",
            "body": body,
            "type": kind,
            "senderName": name,
            "fromMe": from_me,
            "author": me if from_me else chat_id,
            "time": int(time.time()),
            "chatId": chat_id,
            "messageNumber": number,
        }
        self.history.append(entry)
        return entry

    def _qr(self) -> bytes:
        return qr_png(f"chatapi-simulator:{self.instance}")


ROUTES = {
    ("GET", "status"): ChatApiSimulator.status,
    ("GET", "qr_code"): ChatApiSimulator.qr_code,
    ("POST", "webhook"): ChatApiSimulator.set_webhook,
    ("GET", "webhook"): ChatApiSimulator.get_webhook,
    ("POST", "sendMessage"): ChatApiSimulator.send_message,
    ("POST", "sendFile"): ChatApiSimulator.send_file,
    ("GET", "messages"): ChatApiSimulator.messages,
    ("GET", "showMessagesQueue"): ChatApiSimulator.show_queue,
    ("GET", "clearMessagesQueue"): ChatApiSimulator.clear_queue,
    ("GET", "logout"): ChatApiSimulator.logout,
    ("GET", "reboot"): ChatApiSimulator.reboot,
    ("POST", "group"): ChatApiSimulator.group,
}

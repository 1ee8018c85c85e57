"""A WhautoChat Messages API simulator (seed 004, docs/gateways.md "WhautoChat"), WhatsApp
sends only, for the demo and the tests. Every accepted send is kept in `sent`."""

from __future__ import annotations

import hmac
import itertools
from typing import Any

from .companion import CompanionSimulator
from .transport import Request, Response, json_response

DEFAULT_API_KEY = "switchboard-whautochat-key"
PREFIX = "/v1/messages/whatsapp/"
# What each send needs besides the recipient and the workspace.
REQUIRED = {
    "sendtext": ("textMessage",),
    "sendmedia": ("mediaUrl", "mimeType"),
    "sendtemplate": ("template",),
}


class WhautoChatSimulator(CompanionSimulator):
    name = "whautochat"

    def __init__(
        self, *, host: str = "127.0.0.1", port: int = 0, api_key: str = DEFAULT_API_KEY
    ) -> None:
        super().__init__(host=host, port=port)
        self.api_key = api_key
        self.sent: list[dict[str, Any]] = []
        self._ids = itertools.count(1)

    def handle(self, request: Request) -> Response:
        provided = request.headers.get("x-api-key") or ""
        if not hmac.compare_digest(provided.encode(), self.api_key.encode()):
            return json_response(401, {"id": "", "status": "error", "error": "Invalid API key"})
        action = request.path[len(PREFIX) :] if request.path.startswith(PREFIX) else ""
        if request.method != "POST" or action not in REQUIRED:
            return json_response(404, {"error": f"Cannot {request.method} {request.path}"})
        try:
            body = request.json()
        except Exception:
            body = None
        problem = _problem(body, REQUIRED[action])
        if problem:
            return json_response(400, {"id": "", "status": "error", "error": problem})
        with self.lock:
            message_id = f"wac_{next(self._ids):06d}"
            self.sent.append({"id": message_id, "action": action, **body})
        return json_response(200, {"id": message_id, "status": "sent", "error": ""})


def _problem(body: Any, required: tuple[str, ...]) -> str:
    if not isinstance(body, dict):
        return "The body must be a JSON object."
    workspace = body.get("workspace")
    if not isinstance(workspace, dict) or not workspace.get("id"):
        return "workspace.id is required."
    contact, recipient = body.get("contact"), body.get("recepient")
    if bool(contact) == bool(recipient):
        return "Provide either contact or recepient, not both."
    if recipient and not (isinstance(recipient, dict) and recipient.get("phoneNumber")):
        return "recepient.phoneNumber is required."
    if contact and not (isinstance(contact, dict) and contact.get("id")):
        return "contact.id is required."
    for name in required:
        if not isinstance(body.get(name), str) or not body[name].strip():
            return f"{name} is required."
    return ""

"""Constants and helpers shared by the Wawp engine tests (responses from Wawp's API reference)."""

from __future__ import annotations

import json
from pathlib import Path

import respx

from instances.engines.base import MessageKind, SendRequest
from instances.engines.wawp import WawpEngine

BASE = "https://api.wawp.test"
INSTANCE = "3EB0BCB2E3D4"
TOKEN = "wawp-token-8c1e2f"
AUTH = {"instance_id": INSTANCE, "access_token": TOKEN}
CHAT = "201012345678@c.us"
FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "wawp"

# The seed's send response, trimmed to what Switchboard reads (the same for every send).
SENT = {
    "id": {
        "fromMe": True,
        "remote": "000000000000@c.us",
        "id": "MSG_ID_123456",
        "_serialized": "true_000000000000@c.us_MSG_ID_123456",
    },
    "ack": 0,
    "type": "image",
    "fromMe": True,
}
XML_SUCCESS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<response>\n    <success>true</success>\n'
    "    <message>Operation completed successfully</message>\n</response>"
)


def body_of(route: respx.Route) -> dict:
    return json.loads(route.calls.last.request.content)


def query_of(route: respx.Route) -> dict[str, str]:
    return dict(route.calls.last.request.url.params)


def send(engine: WawpEngine, kind: MessageKind, **payload):
    return engine.send(SendRequest(chat_id=CHAT, kind=kind, payload=payload))

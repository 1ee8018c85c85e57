"""Constants and helpers shared by the message-pro engine tests (its API v2 reference)."""

from __future__ import annotations

import json

import respx

BASE = "https://api.message-pro.test"
TOKEN = "mp-token-41d9e0"
INSTANCE = "shop-berlin"
CHAT = "4917612345678@c.us"


def body_of(route: respx.Route) -> dict:
    return json.loads(route.calls.last.request.content)

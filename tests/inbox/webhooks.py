"""Posting recorded WAHA webhooks (tests/fixtures/waha/) to the receiver, signed."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

from django.urls import reverse

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "waha"


def envelope(name: str, **payload: Any) -> dict:
    """A recorded envelope, with payload fields replaced; `id=None` drops the event id."""
    data = json.loads((FIXTURES / f"{name}.json").read_text())
    data = copy.deepcopy(data)
    data["payload"].update(payload)
    return data


def post(client, instance, data: dict | bytes):
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    signature = hmac.new(instance.webhook_secret.encode(), body, hashlib.sha512).hexdigest()
    response = client.post(
        reverse("hooks:receive", args=[instance.uuid]),
        data=body,
        content_type="application/json",
        headers={"X-Webhook-Hmac": signature, "X-Webhook-Hmac-Algorithm": "sha512"},
    )
    assert response.status_code == 200, response.content
    return response


def without_event_id(data: dict, event: str | None = None) -> dict:
    """As old WAHA sends it (no `id`, no `timestamp`), optionally as another event name."""
    data = copy.deepcopy(data)
    data.pop("id", None)
    data.pop("timestamp", None)
    if event:
        data["event"] = event
    return data

"""The waha engine tests' set-up: a mocked WAHA at BASE (`api`) and an engine pointed at it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import respx

from instances.engines.base import (
    EngineConfig,
)
from instances.engines.waha import WEBHOOK_EVENTS, WahaEngine

BASE = "http://waha.test:3000"
API_KEY = "waha-key-5f3a9c"
HOOK_URL = "https://switchboard.test/hooks/0b5e/"
HOOK_SECRET = "hook-secret-77d1"
FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "waha"
CHAT = "4917612345678@c.us"

SESSION_WORKING = {
    "name": "default",
    "status": "WORKING",
    "config": {"webhooks": []},
    "me": {"id": "4915112345678@c.us", "pushName": "Support"},
    "engine": {"engine": "NOWEB"},
}
SESSION_SCANNING = {**SESSION_WORKING, "status": "SCAN_QR_CODE", "me": None}
OUR_WEBHOOK = {
    "url": HOOK_URL,
    "events": list(WEBHOOK_EVENTS),
    "hmac": {"key": HOOK_SECRET},
    "retries": {"policy": "exponential", "delaySeconds": 2, "attempts": 10},
}


# What `GET /api/version` answers, recorded from real servers (tests/fixtures/waha/).
CURRENT_SERVER = json.loads((FIXTURES / "version.current.json").read_text())
CORE_2024_SERVER = json.loads((FIXTURES / "version.core-2024.10.8.json").read_text())


@pytest.fixture
def api():
    """A mocked WAHA; it says it is a current release unless a test replaces the `version` route."""
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        mock.get("/api/version", name="version").respond(200, json=CURRENT_SERVER)
        yield mock


@pytest.fixture
def engine(api):
    config = EngineConfig(
        base_url=BASE,
        api_key=API_KEY,
        session="default",
        webhook_url=HOOK_URL,
        webhook_secret=HOOK_SECRET,
    )
    with WahaEngine(config) as engine:
        yield engine


def body_of(route: respx.Route, index: int = -1) -> dict:
    return json.loads(route.calls[index].request.content)


def fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()

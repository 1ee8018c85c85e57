"""Pytest plugin: a live WAHA simulator (`simulator`) and a webhook receiver (`webhook_receiver`).

Register it in tests/conftest.py with `pytest_plugins = ["tests.simulator_fixture"]`.

`linked` is an instance on it, WORKING, and `sim_api` an httpx client for its own API.

`simulator` runs on a free loopback port with a hand-moved clock (`simulator.clock.advance(20)`),
instant acks, no auto-scan and a STARTING phase that ends on the next request. Attributes:
`url`, `api_key`, `state` (direct access for assertions), `clock`, `dispatcher`, `profile`.

It behaves like current WAHA unless a test picks another profile through `simulator_profile`;
`@both_profiles` runs a test against current WAHA and against Core 2024.10. Wrong-state
answers wait 50 ms instead of WAHA's 5 s.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from instances.models import InstanceStatus, QueueSettings
from instances.simulator import CORE_2024_10, CURRENT, ManualClock, Profile, Simulator
from tests.factories import InstanceFactory

SIMULATOR_TEST_API_KEY = "test-simulator-key"
TEST_WRONG_STATE_DELAY = 0.05

both_profiles = pytest.mark.parametrize(
    "simulator_profile", [CURRENT, CORE_2024_10], ids=[CURRENT.name, CORE_2024_10.name]
)


@pytest.fixture
def simulator_profile() -> Profile:
    """Which WAHA the `simulator` behaves like; parametrize this name to choose another."""
    return CURRENT


@pytest.fixture
def simulator(simulator_profile: Profile) -> Iterator[Simulator]:
    sim = Simulator(
        api_key=SIMULATOR_TEST_API_KEY,
        clock=ManualClock(),
        seed=1234,
        ack_delays=(0.0, 0.0, 0.0),
        auto_scan_after=None,
        starting_seconds=0.0,
        profile=simulator_profile,
        wrong_state_delay=min(simulator_profile.wrong_state_delay, TEST_WRONG_STATE_DELAY),
    )
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def sim_api(simulator) -> Iterator[httpx.Client]:
    """The simulator's HTTP API with its key, for what a phone or a test does to it."""
    with httpx.Client(
        base_url=simulator.url, headers={"X-Api-Key": simulator.api_key}, timeout=5
    ) as client:
        yield client


@pytest.fixture
def linked(simulator, sim_api, db):
    """An instance whose `default` session on the simulator is WORKING, paced at zero delay."""
    assert sim_api.post("/api/sessions", json={"name": "default"}).status_code == 201
    sim_api.get("/api/sessions/default")
    sim_api.post("/simulator/sessions/default/scan", json={"phone": "+15550001234"})
    assert sim_api.get("/api/sessions/default").json()["status"] == "WORKING"
    instance = InstanceFactory(
        base_url=simulator.url,
        session_name="default",
        api_key=SIMULATOR_TEST_API_KEY,
        status=InstanceStatus.WORKING,
    )
    QueueSettings.objects.create(instance=instance, min_delay_seconds=0, max_delay_seconds=0)
    return instance


@dataclass(frozen=True)
class ReceivedWebhook:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def envelope(self) -> dict[str, Any]:
        return json.loads(self.body)

    @property
    def event(self) -> str:
        return self.envelope["event"]

    @property
    def payload(self) -> dict[str, Any]:
        return self.envelope["payload"]


class WebhookReceiver:
    """A tiny HTTP server that records every POST. Header names are stored lower-case."""

    def __init__(self) -> None:
        self.received: list[ReceivedWebhook] = []
        self._statuses: deque[int] = deque()
        self._condition = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = receiver._record(self.path, self.headers.items(), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks/"

    def respond_with(self, *statuses: int) -> None:
        """Answer the next requests with these statuses, then 200 again."""
        with self._condition:
            self._statuses.extend(statuses)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedWebhook]:
        """The first `count` webhooks, waiting up to `timeout` seconds for them to arrive."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while len(self.received) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    events = [hook.event for hook in self.received]
                    raise AssertionError(f"expected {count} webhooks, got {events}")
                self._condition.wait(remaining)
            return list(self.received[:count])

    def events(self, name: str | None = None) -> list[ReceivedWebhook]:
        with self._condition:
            return [hook for hook in self.received if name is None or hook.event == name]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _record(self, path: str, headers: Any, body: bytes) -> int:
        with self._condition:
            hook = ReceivedWebhook(path, {k.lower(): v for k, v in headers}, body)
            self.received.append(hook)
            self._condition.notify_all()
            return self._statuses.popleft() if self._statuses else 200


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    receiver.start()
    yield receiver
    receiver.stop()

"""Webhook delivery the way WAHA does it: the envelope, the headers, HMAC, retries.

Deliveries run on background workers fed by bounded queues; one session always lands on the same
worker, so its events arrive in the order they were emitted unless a fault reorders them. Delays
(ack timing, retry back-off) use real time: a timer thread moves due items onto the queues.
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import hmac
import itertools
import json
import logging
import queue
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from .profiles import CURRENT, Profile

logger = logging.getLogger(__name__)

# Used when a webhook has no `retries` config; configured values are clamped to these bounds.
DEFAULT_RETRIES = {"policy": "constant", "delaySeconds": 2, "attempts": 3}
MAX_ATTEMPTS = 15
MAX_RETRY_DELAY_SECONDS = 60.0


def sign(body: bytes, key: str) -> str:
    """`X-Webhook-Hmac`: hex HMAC-SHA512 of the exact body bytes (docs/gateways.md has a test
    vector)."""
    return hmac.new(key.encode(), body, hashlib.sha512).hexdigest()


def subscribed(webhook: dict[str, Any], event: str) -> bool:
    events = webhook.get("events") or []
    return "*" in events or event in events


@dataclass(frozen=True)
class WebhookEvent:
    """One event for the webhooks of one session, frozen at the moment it happened.

    `on_due` runs when the event's delay has passed, just before delivery; when it answers False
    the event is dropped (an ack for a session that has stopped meanwhile). `profile` decides
    the envelope's shape and whether it is signed.
    """

    id: str
    timestamp: int
    event: str
    session: str
    metadata: dict[str, Any]
    me: dict[str, Any] | None
    payload: dict[str, Any]
    targets: tuple[dict[str, Any], ...]
    copies: int = 1
    on_due: Callable[[], bool] | None = field(default=None, compare=False)
    profile: Profile = CURRENT

    def envelope(self) -> dict[str, Any]:
        envelope: dict[str, Any] = {}
        if self.profile.envelope_ids:
            envelope |= {"id": self.id, "timestamp": self.timestamp}
        envelope |= {"event": self.event, "session": self.session}
        # Old versions leave `metadata` out when the session has none.
        if self.metadata or self.profile.envelope_ids:
            envelope["metadata"] = self.metadata
        return envelope | {
            "me": self.me,
            "payload": self.payload,
            "engine": self.profile.engine,
            "environment": self.profile.environment,
        }

    def body(self) -> bytes:
        # Compact like JSON.stringify, so receivers see the bytes WAHA would send.
        text = json.dumps(self.envelope(), separators=(",", ":"), ensure_ascii=False)
        return text.encode()


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int
    delay_seconds: float
    policy: str

    @classmethod
    def from_config(cls, retries: dict[str, Any] | None) -> RetryPolicy:
        merged = {**DEFAULT_RETRIES, **{k: v for k, v in (retries or {}).items() if v is not None}}
        return cls(
            attempts=max(1, min(int(merged["attempts"]), MAX_ATTEMPTS)),
            delay_seconds=max(0.0, float(merged["delaySeconds"])),
            policy=str(merged["policy"]),
        )

    def delay_after(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        if self.policy == "linear":
            delay = self.delay_seconds * attempt
        elif self.policy == "exponential":
            delay = self.delay_seconds * 2 ** (attempt - 1)
        else:
            delay = self.delay_seconds
        return min(delay, MAX_RETRY_DELAY_SECONDS)


@dataclass(frozen=True)
class _Delivery:
    event: WebhookEvent
    body: bytes
    target: dict[str, Any]
    attempt: int = 1


class WebhookDispatcher:
    def __init__(
        self,
        *,
        workers: int = 4,
        timeout: float = 10.0,
        queue_size: int = 10_000,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._queues: list[queue.Queue[_Delivery | None]] = [
            queue.Queue(maxsize=queue_size) for _ in range(workers)
        ]
        # One client for all workers: httpx clients are thread-safe, and each costs an SSL context.
        self._client = httpx.Client(
            timeout=timeout,
            transport=transport,
            limits=httpx.Limits(max_connections=workers * 4, max_keepalive_connections=workers),
        )
        self._scheduled: list[tuple[float, int, WebhookEvent | _Delivery]] = []
        self._sequence = itertools.count()
        self._condition = threading.Condition()
        self._outstanding = 0
        self._stopping = threading.Event()
        # Cleared while deliveries are held back (`held`); set otherwise.
        self._open = threading.Event()
        self._open.set()
        self._threads: list[threading.Thread] = []
        self._stats = {"delivered": 0, "retried": 0, "failed": 0, "dropped": 0}

    def start(self) -> None:
        self._threads = [threading.Thread(target=self._run_timer, name="webhook-timer")]
        self._threads += [
            threading.Thread(target=self._run_worker, args=(q,), name=f"webhook-worker-{i}")
            for i, q in enumerate(self._queues)
        ]
        for thread in self._threads:
            thread.daemon = True
            thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._open.set()
        self.clear()
        with self._condition:
            self._condition.notify_all()
        for q in self._queues:
            with contextlib.suppress(queue.Full):
                q.put(None, timeout=1)
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._client.close()

    def submit(self, event: WebhookEvent, delay: float = 0.0) -> None:
        """Deliver `event` to its targets now, or after `delay` seconds."""
        if delay > 0:
            self._schedule(event, delay)
        else:
            self._fire(event)

    def clear(self) -> None:
        """Forget everything not yet handed to a worker (deliveries in flight finish)."""
        with self._condition:
            dropped = len(self._scheduled)
            self._scheduled.clear()
        for q in self._queues:
            while True:
                try:
                    item = q.get_nowait()
                except queue.Empty:
                    break
                q.task_done()
                dropped += item is not None
        with self._condition:
            self._outstanding -= dropped
            self._condition.notify_all()

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Queue deliveries but send none until the block ends.

        Tests use it so that a receiver sharing their database connection (Django's live
        server on in-memory SQLite) is never written to while the test itself is using it.
        """
        self._open.clear()
        try:
            yield
        finally:
            self._open.set()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Block until nothing is scheduled, queued or in flight; False on timeout."""
        with self._condition:
            return self._condition.wait_for(lambda: self._outstanding <= 0, timeout)

    def stats(self) -> dict[str, int]:
        with self._condition:
            return {**self._stats, "pending": self._outstanding}

    def _count(self, name: str) -> None:
        with self._condition:
            self._stats[name] += 1

    def _schedule(self, item: WebhookEvent | _Delivery, delay: float) -> None:
        with self._condition:
            self._outstanding += 1
            due = time.monotonic() + delay
            heapq.heappush(self._scheduled, (due, next(self._sequence), item))
            self._condition.notify_all()

    def _finished(self) -> None:
        with self._condition:
            self._outstanding -= 1
            self._condition.notify_all()

    def _fire(self, event: WebhookEvent) -> None:
        if event.on_due is not None:
            try:
                if not event.on_due():
                    return
            except Exception:
                logger.exception("Simulator webhook %s: preparing it failed", event.event)
                return
        if not event.targets:
            return
        body = event.body()
        for target in event.targets:
            for _ in range(event.copies):
                self._enqueue(_Delivery(event, body, target))

    def _enqueue(self, delivery: _Delivery) -> None:
        # One session, one worker: that keeps each session's events in order.
        index = zlib.crc32(delivery.event.session.encode()) % len(self._queues)
        with self._condition:
            self._outstanding += 1
        try:
            self._queues[index].put_nowait(delivery)
        except queue.Full:
            logger.warning("Simulator webhook queue is full; dropped %s", delivery.event.event)
            self._count("dropped")
            self._finished()

    def _run_timer(self) -> None:
        while True:
            with self._condition:
                while not self._stopping.is_set():
                    now = time.monotonic()
                    if self._scheduled and self._scheduled[0][0] <= now:
                        break
                    wait = self._scheduled[0][0] - now if self._scheduled else None
                    self._condition.wait(wait)
                if self._stopping.is_set():
                    return
                _, _, item = heapq.heappop(self._scheduled)
            try:
                if isinstance(item, _Delivery):
                    self._enqueue(item)
                else:
                    self._fire(item)
            finally:
                self._finished()

    def _run_worker(self, jobs: queue.Queue[_Delivery | None]) -> None:
        while True:
            delivery = jobs.get()
            if delivery is None:
                jobs.task_done()
                return
            self._open.wait()
            try:
                self._deliver(delivery)
            except Exception:
                logger.exception("Simulator webhook %s: delivery crashed", delivery.event.event)
            finally:
                jobs.task_done()
                self._finished()

    def _deliver(self, delivery: _Delivery) -> None:
        target = delivery.target
        profile = delivery.event.profile
        headers = {"Content-Type": "application/json", "User-Agent": profile.user_agent}
        if profile.envelope_ids:
            headers["X-Webhook-Request-Id"] = uuid.uuid4().hex
            headers["X-Webhook-Timestamp"] = str(int(time.time() * 1000))
        # Versions that cannot sign store the key and ignore it.
        key = (target.get("hmac") or {}).get("key") if profile.signs_webhooks else None
        if key:
            headers["X-Webhook-Hmac"] = sign(delivery.body, key)
            headers["X-Webhook-Hmac-Algorithm"] = "sha512"
        for header in target.get("customHeaders") or []:
            headers[header["name"]] = header["value"]
        try:
            response = self._client.post(target["url"], content=delivery.body, headers=headers)
            outcome = f"HTTP {response.status_code}"
            ok = response.is_success
        except httpx.HTTPError as exc:
            outcome, ok = type(exc).__name__, False
        if ok:
            self._count("delivered")
            return
        # Log the host only: receivers may keep a secret in the URL path.
        host = urlsplit(target["url"]).netloc
        policy = RetryPolicy.from_config(target.get("retries"))
        if delivery.attempt < policy.attempts and not self._stopping.is_set():
            self._count("retried")
            retry = _Delivery(delivery.event, delivery.body, target, delivery.attempt + 1)
            self._schedule(retry, policy.delay_after(delivery.attempt))
            logger.info("Webhook %s to %s: %s, will retry", delivery.event.event, host, outcome)
        else:
            self._count("failed")
            logger.warning("Webhook %s to %s: %s, giving up", delivery.event.event, host, outcome)

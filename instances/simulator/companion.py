"""A small HTTP server for the companion simulators (chat-api, WhautoChat), which speak much
simpler protocols than WAHA and need none of its router, profiles or faults.

A subclass implements `handle(request) -> Response`; this class serves it on a loopback port
in background threads and posts webhooks from one worker thread, in order.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from .transport import Request, Response, json_response

logger = logging.getLogger("instances.simulator")


class CompanionSimulator:
    """Serve `handle` on `host:port` (0: a free port); `url` says where."""

    name = "companion"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.lock = threading.RLock()
        self._server = _Server((host, port), self)
        self.host, self.port = self._server.server_address[:2]
        self._hooks: queue.Queue[tuple[str, Any] | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self.webhooks_posted = 0
        self._serving = False

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def post_webhook(self, url: str, body: Any) -> None:
        """Post `body` as JSON to `url` soon, after every webhook queued before it."""
        if url:
            self._hooks.put((url, body))

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """True once every webhook queued so far has been posted (or has failed)."""
        deadline = time.monotonic() + timeout
        while self._hooks.unfinished_tasks:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True

    def start(self) -> CompanionSimulator:
        for target in (self._serve, self._deliver):
            thread = threading.Thread(target=target, name=f"{self.name}-sim", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def serve_forever(self) -> None:
        deliverer = threading.Thread(target=self._deliver, daemon=True)
        deliverer.start()
        self._threads.append(deliverer)
        self._serve()

    def stop(self) -> None:
        if self._serving:
            self._server.shutdown()
        self._server.server_close()
        self._hooks.put(None)
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()

    def __enter__(self) -> CompanionSimulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _serve(self) -> None:
        self._serving = True
        self._server.serve_forever(poll_interval=0.02)

    def _deliver(self) -> None:
        with httpx.Client(timeout=10) as client:
            while (item := self._hooks.get()) is not None:
                url, body = item
                try:
                    client.post(url, json=body)
                except httpx.HTTPError as exc:
                    logger.info("%s simulator could not post a webhook: %s", self.name, exc)
                with self.lock:
                    self.webhooks_posted += 1
                self._hooks.task_done()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        request = Request.read_from(self)
        try:
            response = self.server.simulator.handle(request)
        except Exception:
            logger.exception("%s simulator crashed on %s", self.server.simulator.name, request.path)
            response = json_response(500, {"error": "simulator failure"})
        # The query is left out: it may hold a token.
        logger.info("%s %s %s", self.command, request.path, response.status)
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    do_POST = do_PUT = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: `do_GET` logs one line per request without the query."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], simulator: CompanionSimulator) -> None:
        self.simulator = simulator
        super().__init__(address, _Handler)

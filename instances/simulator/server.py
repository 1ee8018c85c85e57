"""HTTP plumbing: a routing table (method + path template -> handler) on ThreadingHTTPServer.

The request handler turns the raw HTTP exchange into a `Request`, lets `dispatch` find the
route, check the API key and apply faults, and writes the `Response` back.
"""

from __future__ import annotations

import hmac
import logging
import re
import socket
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .errors import (
    SimulatorError,
    internal_error,
    route_not_found,
    too_many_requests,
    unauthorized,
)
from .faults import SendFault
from .transport import Request, Response, error_response

if TYPE_CHECKING:
    from .app import Simulator

logger = logging.getLogger("instances.simulator")

Handler = Callable[..., Response]
_PROTECTED_PREFIXES = ("/api/", "/simulator/")


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    # Send routes get the 429/500/reset/timeout faults.
    send: bool = False


def route(method: str, template: str, handler: Handler, *, send: bool = False) -> Route:
    """`route("GET", "/api/sessions/{session}", get_session)`: one path segment per field."""
    pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
    return Route(method, re.compile(pattern), handler, send)


class Router:
    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = list(routes)

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        for candidate in self.routes:
            found = candidate.pattern.fullmatch(path)
            if found and candidate.method == method:
                return candidate, {k: unquote(v) for k, v in found.groupdict().items()}
        raise route_not_found(method, path)


def dispatch(simulator: Simulator, request: Request) -> Response:
    try:
        if request.path.startswith(_PROTECTED_PREFIXES) and not _authorized(simulator, request):
            raise unauthorized()
        if request.path.startswith("/api/"):
            latency_ms = simulator.state.faults.latency_ms
            if latency_ms:
                simulator.pause(latency_ms / 1000)
        matched, params = simulator.router.match(request.method, request.path)
        if matched.send:
            return _send_with_faults(simulator, matched, request, params)
        return matched.handler(simulator, request, **params)
    except SimulatorError as error:
        return _answer_error(simulator, error)
    except Exception:
        logger.exception("Simulator crashed on %s %s", request.method, request.path)
        return error_response(internal_error())


def _answer_error(simulator: Simulator, error: SimulatorError) -> Response:
    if error.waits and simulator.wrong_state_delay:
        simulator.pause(simulator.wrong_state_delay)
    return error_response(error)


def _authorized(simulator: Simulator, request: Request) -> bool:
    # The key comes in X-Api-Key, or as x-api-key in the query for media URLs.
    provided = request.headers.get("X-Api-Key") or request.query.get("x-api-key") or ""
    return hmac.compare_digest(provided.encode(), simulator.api_key.encode())


def _send_with_faults(
    simulator: Simulator, matched: Route, request: Request, params: dict[str, Any]
) -> Response:
    fault = simulator.state.draw_send_fault()
    if fault is SendFault.THROTTLE:
        raise too_many_requests()
    if fault is SendFault.ERROR:
        raise internal_error()
    if fault is SendFault.RESET:
        return Response(0, reset=True)
    try:
        response = matched.handler(simulator, request, **params)
    except SimulatorError as error:
        response = _answer_error(simulator, error)
    if fault is SendFault.TIMEOUT:
        response.hold_seconds = simulator.state.faults.timeout_hold_s
    return response


class SimulatorRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    sys_version = ""
    # Idle keep-alive connections give up their thread after this long.
    timeout = 60
    # Headers and body go out in separate writes; with Nagle on, each answer waits ~40 ms.
    disable_nagle_algorithm = True
    server: SimulatorHTTPServer

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def version_string(self) -> str:
        return self.server.simulator.profile.user_agent

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: `_serve` logs one line per request without the query (it may hold the key)."""

    def _serve(self) -> None:
        request = Request.read_from(self)
        simulator = self.server.simulator
        response = dispatch(simulator, request)
        if response.reset:
            self._reset_connection()
            logger.info("%s %s reset", self.command, request.path)
            return
        if response.hold_seconds:
            simulator.pause(response.hold_seconds)
        # Logged before answering, so a client that has its answer also has the log line.
        logger.info("%s %s %s", self.command, request.path, response.status)
        try:
            self._write(response)
        except OSError:
            # The client gave up (a read timeout during a held answer): nothing left to do.
            self.close_connection = True

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)
        self.wfile.flush()

    def _reset_connection(self) -> None:
        # Linger 0 makes close() send a TCP RST instead of an orderly goodbye.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True


class SimulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], simulator: Simulator) -> None:
        self.simulator = simulator
        super().__init__(address, SimulatorRequestHandler)

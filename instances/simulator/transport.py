"""The request and response values that the router and the handlers pass around."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .errors import SimulatorError, bad_request

JSON = "application/json; charset=utf-8"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes = b""

    @classmethod
    def read_from(cls, handler: BaseHTTPRequestHandler) -> Request:
        """The request an `http.server` handler is serving, its body read."""
        url = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        return cls(
            method=handler.command,
            path=url.path,
            query={k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()},
            headers=handler.headers,
            body=handler.rfile.read(length) if length else b"",
        )

    def json(self) -> Any:
        """The parsed body; an empty body reads as `{}` like NestJS's body parser."""
        if not self.body.strip():
            return {}
        try:
            return json.loads(self.body)
        except ValueError as exc:
            position = getattr(exc, "pos", 0)
            raise bad_request(f"Unexpected token in JSON at position {position}") from exc

    def wants_json(self) -> bool:
        return "application/json" in (self.headers.get("Accept") or "")


@dataclass
class Response:
    """`reset` closes the connection without answering; `hold_seconds` delays the answer."""

    status: int
    body: bytes = b""
    content_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)
    reset: bool = False
    hold_seconds: float = 0.0


def json_response(status: int, data: Any) -> Response:
    return Response(status, json.dumps(data, ensure_ascii=False).encode())


def empty_response(status: int) -> Response:
    return Response(status, b"", content_type="")


def png_response(data: bytes) -> Response:
    return Response(200, data, content_type="image/png")


def error_response(error: SimulatorError) -> Response:
    response = json_response(error.status, error.body)
    response.headers.update(error.headers)
    return response

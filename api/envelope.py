"""Seed 002's response shape: `{success, data, meta}` and `{success: false, error: {code,
message}}` with a fixed set of codes, each with its HTTP status."""

from __future__ import annotations

import enum
import json
from typing import Any

from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from ninja.responses import NinjaJSONEncoder


class Code(enum.StrEnum):
    VALIDATION_ERROR = "VALIDATION_ERROR"
    UNAUTHORIZED = "UNAUTHORIZED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    RATE_LIMITED = "RATE_LIMITED"
    ENGINE_ERROR = "ENGINE_ERROR"
    INTERNAL_ERROR = "INTERNAL_ERROR"


# A body that cannot be read is 400; a readable one whose values are refused is 422.
STATUS: dict[Code, int] = {
    Code.VALIDATION_ERROR: 422,
    Code.UNAUTHORIZED: 401,
    Code.FORBIDDEN: 403,
    Code.NOT_FOUND: 404,
    Code.CONFLICT: 409,
    Code.RATE_LIMITED: 429,
    Code.ENGINE_ERROR: 502,
    Code.INTERNAL_ERROR: 500,
}


class ApiError(Exception):
    """Raised anywhere under the API; answered as the error envelope."""

    def __init__(
        self,
        code: Code,
        message: str,
        *,
        status: int | None = None,
        details: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or STATUS[code]
        self.details = details
        self.headers = headers or {}


def invalid(details: dict[str, list[str]], more: str = "") -> ApiError:
    """VALIDATION_ERROR naming the first field and its problems, every field in `details`."""
    field, problems = next(iter(details.items()), ("body", ["Invalid request."]))
    return ApiError(
        Code.VALIDATION_ERROR, f"{field}: {' '.join(problems)}{more}", details=details or None
    )


def meta(**extra: Any) -> dict[str, Any]:
    return {"timestamp": timezone.now().isoformat().replace("+00:00", "Z"), **extra}


def success(data: Any, **extra_meta: Any) -> dict[str, Any]:
    return {"success": True, "data": data, "meta": meta(**extra_meta)}


def rendered(body: dict[str, Any], status: int = 200) -> HttpResponse:
    """An answer as ninja renders it, without validating it against the route's response
    schema first: that was a tenth of a send's CPU (docs/benchmarks.md, "REST API sends"), for
    a body made by our own code, which tests/api/test_openapi_conformance.py checks against
    the document."""
    return JsonResponse(
        body,
        status=status,
        encoder=NinjaJSONEncoder,
        content_type="application/json; charset=utf-8",
    )


def error_body(code: Code, message: str, details: dict | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code.value, "message": message}
    if details:
        error["details"] = details
    return {"success": False, "error": error}


def error_response(exc: ApiError) -> HttpResponse:
    response = JsonResponse(error_body(exc.code, exc.message, exc.details), status=exc.status)
    for name, value in exc.headers.items():
        response[name] = value
    return response


def is_enveloped(response: HttpResponse) -> bool:
    """Whether a response already carries the envelope (streams and files never do)."""
    if response.streaming or not response.get("Content-Type", "").startswith("application/json"):
        return False
    try:
        body = json.loads(response.content)
    except ValueError:
        return False
    return isinstance(body, dict) and isinstance(body.get("success"), bool)

"""WAHA's error answers. Bodies are copied from a real server (docs/gateways.md) and NestJS
defaults."""

from __future__ import annotations

from typing import Any

WRONG_STATE_MESSAGE = "Session status is not as expected. Try again later or restart the session"


class SimulatorError(Exception):
    """An HTTP error answer: raised anywhere below the router, rendered as JSON by it."""

    def __init__(
        self,
        status: int,
        body: Any,
        headers: dict[str, str] | None = None,
        *,
        waits: bool = False,
    ) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}
        # Wrong-state answers come only after WAHA has waited for the expected status.
        self.waits = waits


def bad_request(messages: list[str] | str) -> SimulatorError:
    """Validation errors carry a list of messages; a body that is not JSON carries one string."""
    return SimulatorError(400, {"statusCode": 400, "message": messages, "error": "Bad Request"})


def unauthorized() -> SimulatorError:
    return SimulatorError(401, {"message": "Unauthorized", "statusCode": 401})


def not_found(message: str = "Session not found") -> SimulatorError:
    return SimulatorError(404, {"statusCode": 404, "message": message, "error": "Not Found"})


def session_not_running(name: str) -> SimulatorError:
    """What WAHA answers when an action needs a running session and this one is not running."""
    return not_found(
        f"We didn't find a session with name '{name}'.\n"
        f"Please start it first by using POST /api/sessions/{name}/start request"
    )


def route_not_found(method: str, path: str) -> SimulatorError:
    return not_found(f"Cannot {method} {path}")


def unprocessable(message: str) -> SimulatorError:
    return SimulatorError(
        422, {"statusCode": 422, "message": message, "error": "Unprocessable Entity"}
    )


def wrong_state(session: str, status: str, expected: list[str]) -> SimulatorError:
    # WAHA throws this body as-is, so unlike the other errors it has no statusCode.
    return SimulatorError(
        422,
        {
            "error": WRONG_STATE_MESSAGE,
            "session": session,
            "status": status,
            "expected": expected,
        },
        waits=True,
    )


def only_default_session() -> SimulatorError:
    """WAHA Core before 2026.6 runs one session, named `default`."""
    return unprocessable(
        "WAHA Core support only 'default' session. If you want to run more then one WhatsApp "
        "account - please get WAHA PLUS version. Check this out: https://waha.devlike.pro/"
    )


def plus_only(engine: str) -> SimulatorError:
    return unprocessable(f"The feature is available only in Plus version for '{engine}' engine")


def not_implemented(engine: str) -> SimulatorError:
    return unprocessable(f"The method is not implemented by '{engine}' engine")


def still_starting() -> SimulatorError:
    # Answered at once, unlike the wrong-state body.
    return SimulatorError(
        422,
        {
            "statusCode": 422,
            "message": "The session is starting, please try again after few seconds",
            "error": "Unprocessable Entity",
        },
    )


def too_many_requests(retry_after_seconds: int = 1) -> SimulatorError:
    return SimulatorError(
        429,
        {"statusCode": 429, "message": "Too Many Requests"},
        {"Retry-After": str(retry_after_seconds)},
    )


def internal_error() -> SimulatorError:
    return SimulatorError(500, {"statusCode": 500, "message": "Internal server error"})

"""The typed errors every engine raises. `message` is always safe to show to a person."""

from __future__ import annotations


class EngineError(Exception):
    """Base of every error an engine raises. `message` is safe to show to a person."""

    def __init__(self, message: str, *, status_code: int | None = None, code: str = ""):
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.code = code


class RetryableError(EngineError):
    """Nothing happened on the gateway side: connection refused, 429, 5xx. Safe to retry."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class PermanentError(EngineError):
    """The gateway refused the request (validation, not on WhatsApp, wrong key, wrong state)."""


class AuthenticationError(PermanentError):
    """The API key or token was refused (401/403)."""


class WrongStateError(PermanentError):
    """The session is not in a state that allows the action (WAHA's 422)."""


class WrongGatewayError(PermanentError):
    """Something answered at the base URL, but not the gateway the instance is set up for."""


class NotFoundError(PermanentError):
    """The session or message does not exist on the gateway."""


class UnconfirmedError(EngineError):
    """The request may have reached the gateway (read timeout): never retry automatically."""


class NotSupportedError(PermanentError):
    """The engine cannot do this at all; the UI should have hidden the action."""

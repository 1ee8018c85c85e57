"""HTTP plumbing shared by the engines: the configured client and the mapping of failures to
the typed errors. Only engines use it."""

from __future__ import annotations

import logging
import re
import ssl
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cache
from typing import Any

import httpx
from django.conf import settings

from instances.engines.errors import (
    AuthenticationError,
    EngineError,
    NotFoundError,
    PermanentError,
    RetryableError,
    UnconfirmedError,
)

# Connect fast (a gateway that is down should say so quickly); give reads room (the
# ENGINE_READ_TIMEOUT setting, 30 s by default), because WAHA waits up to ~5 s before answering
# 422 for a session in the wrong state.
CONNECT_TIMEOUT = 5.0
USER_AGENT = "Switchboard/0.1"


class _HideQueryValue(logging.Filter):
    """httpx logs every request URL at INFO; blank one query parameter's value in it."""

    def __init__(self, name: str):
        super().__init__()
        self.key = f"{name}="
        self.pattern = re.compile(rf"([?&]{re.escape(name)}=)[^&\s\"']+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.key in message:
            record.msg, record.args = self.pattern.sub(r"\1***", message), ()
        return True


def hide_query_value_in_logs(name: str) -> None:
    """For gateways whose key travels in the URL (Wawp, chat-api): keep it out of httpx's log."""
    httpx_logger = logging.getLogger("httpx")
    hidden = {f.key for f in httpx_logger.filters if isinstance(f, _HideQueryValue)}
    if f"{name}=" not in hidden:
        httpx_logger.addFilter(_HideQueryValue(name))


@cache
def shared_ssl_context() -> ssl.SSLContext:
    """One context for every client: loading the CA bundle costs tens of milliseconds."""
    return httpx.create_ssl_context()


def build_client(
    base_url: str,
    *,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """The one place an engine's httpx client is configured: base URL, auth, timeouts, agent."""
    return httpx.Client(
        base_url=base_url.rstrip("/"),
        headers={"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})},
        params=params,
        timeout=httpx.Timeout(settings.ENGINE_READ_TIMEOUT, connect=CONNECT_TIMEOUT),
        transport=transport,
        verify=shared_ssl_context(),
        follow_redirects=False,
    )


def response_json(response: httpx.Response) -> Any:
    """The decoded JSON body, or None for an empty or non-JSON body (some gateways answer
    XML, plain text or an HTML error page)."""
    try:
        return response.json()
    except ValueError:
        return None


def retry_after_header(response: httpx.Response) -> float | None:
    """Seconds to wait from a `Retry-After` header, in either of its two forms."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def gateway_address(url: httpx.URL) -> str:
    """Host and port only: safe in a message even when the query carries a token."""
    return f"{url.host}:{url.port}" if url.port else url.host


def transport_error(exc: httpx.HTTPError, *, address: str, sends_message: bool) -> EngineError:
    """Map an httpx failure to a typed error.

    A read timeout, a reset while reading or a connection closed before the answer all happen
    after the request went out: for a send the message may have been delivered, so it is
    unconfirmed rather than retryable.
    """
    maybe_done = (httpx.ReadTimeout, httpx.ReadError, httpx.RemoteProtocolError)
    if sends_message and isinstance(exc, maybe_done):
        return UnconfirmedError(
            f"The gateway at {address} did not confirm the send; the message may have gone out."
        )
    if isinstance(exc, httpx.TimeoutException) and not isinstance(exc, httpx.ConnectTimeout):
        return RetryableError(f"The gateway at {address} did not answer in time.")
    if isinstance(exc, httpx.TransportError) and not isinstance(
        exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError
    ):
        return RetryableError(f"Cannot reach the gateway at {address}.")
    return PermanentError(f"The request to the gateway at {address} could not be made.")


def error_for_status(
    status: int,
    message: str = "",
    *,
    credential: str = "API key",
    retry_after: float | None = None,
    code: str = "",
) -> EngineError:
    """The typed error for a failed HTTP status; `message` is the gateway's own, if any.

    422 is not mapped here: gateways use it for different things (WAHA: wrong session state;
    Laravel-style APIs: validation), so each engine decides.
    """
    if status in (401, 403):
        return AuthenticationError(
            f"The gateway refused the {credential}.", status_code=status, code=code
        )
    if status == 404:
        return NotFoundError(
            message or "The gateway does not know this session or message.",
            status_code=status,
            code=code,
        )
    if status == 429:
        return RetryableError(
            message or "The gateway is rate limiting requests.",
            retry_after=retry_after,
            status_code=status,
            code=code,
        )
    if status >= 500:
        return RetryableError(
            message or f"The gateway failed (HTTP {status}).", status_code=status, code=code
        )
    return PermanentError(
        message or f"The gateway refused the request (HTTP {status}).",
        status_code=status,
        code=code,
    )


MAX_ERROR_MESSAGE = 300


def redact(error: EngineError, secrets: tuple[str, ...]) -> None:
    """Blank out any secret a gateway echoed into an error message, then bound its length.

    In that order: a cut first could split a secret so that the part before the cut no
    longer matches, and would be shown and stored.
    """
    message = error.message
    for secret in secrets:
        if secret:
            message = message.replace(secret, "***")
    message = message[:MAX_ERROR_MESSAGE]
    error.message = message
    error.args = (message,)

"""The `X-Switchboard-Signature` header: `t=<unix time>,v1=<hex HMAC-SHA256>` of `"<t>.<body>"`.

The time is signed with the body (as Stripe does), so a captured delivery replayed later, or
with a fresh time, fails verification; receivers refuse times older than a few minutes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SCHEME = "v1"
SECRET_PREFIX = "whsec_"  # noqa: S105 (tells webhook secrets apart from API keys; not a secret)


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},{SCHEME}={signature(secret, timestamp, body)}"


def verify(secret: str, header: str, body: bytes, now: int, tolerance: int = 300) -> bool:
    """What a receiver does: the header's signature matches and its time is recent."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return hmac.compare_digest(expected, parts.get(SCHEME, ""))

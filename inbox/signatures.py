"""Webhook authentication: the secret in the address, and WAHA's HMAC header where sent."""

from __future__ import annotations

import hashlib
import hmac

# WAHA signs with HMAC-SHA512 and names it in X-Webhook-Hmac-Algorithm (docs/gateways.md).
SUPPORTED_ALGORITHMS = {"sha512": hashlib.sha512}


def hmac_is_valid(body: bytes, secret: str, signature: str, algorithm: str = "sha512") -> bool:
    digest = SUPPORTED_ALGORITHMS.get((algorithm or "sha512").lower())
    if digest is None or not signature or not secret:
        return False
    expected = hmac.new(secret.encode(), body, digest).hexdigest().encode()
    # Bytes, because compare_digest refuses a str with non-ASCII characters (TypeError).
    return hmac.compare_digest(expected, signature.strip().lower().encode("utf-8", "replace"))


def token_is_valid(token: str, secret: str) -> bool:
    return (
        bool(token)
        and bool(secret)
        and hmac.compare_digest(token.encode("utf-8", "replace"), secret.encode())
    )

"""Throttle failed logins per username and per client address, in the shared cache."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache


def _keys(username: str, address: str) -> list[str]:
    return [f"login-fail:user:{username.strip().lower()}", f"login-fail:addr:{address}"]


def is_throttled(username: str, address: str) -> bool:
    limit = settings.LOGIN_THROTTLE_ATTEMPTS
    return any((cache.get(key) or 0) >= limit for key in _keys(username, address))


def record_failure(username: str, address: str) -> None:
    for key in _keys(username, address):
        # add() starts the window only once; incr() keeps its expiry.
        if not cache.add(key, 1, timeout=settings.LOGIN_THROTTLE_WINDOW):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout=settings.LOGIN_THROTTLE_WINDOW)


def clear_failures(username: str) -> None:
    cache.delete(_keys(username, "")[0])

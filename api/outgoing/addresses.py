"""Where a subscriber may point: http(s) only, and in production no loopback, private,
link-local or reserved address (so a webhook cannot probe the internal network), unless
WEBHOOK_ALLOW_PRIVATE allows them."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator


class AddressRefused(ValueError):
    """Why a webhook URL is refused; the message is safe to show."""


def check_url(url: str, *, resolve: bool = True) -> None:
    """Raise AddressRefused for a URL Switchboard will not post to. With `resolve`, a host name
    is looked up and every address it has is checked."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressRefused("Only http:// and https:// addresses can receive webhooks.")
    try:
        _valid_url(url)
    except ValidationError:
        raise AddressRefused("Enter a valid URL.") from None
    if settings.WEBHOOK_ALLOW_PRIVATE:
        return
    host = parts.hostname
    if host == "localhost" or host.endswith(".localhost"):
        raise AddressRefused(_PRIVATE)
    for address in _addresses(host, parts.port, resolve):
        if not address.is_global:
            raise AddressRefused(_PRIVATE)


_valid_url = URLValidator(schemes=["http", "https"])
_PRIVATE = (
    "Loopback and private network addresses cannot receive webhooks "
    "(set WEBHOOK_ALLOW_PRIVATE=true to allow them)."
)


def _addresses(host: str, port: int | None, resolve: bool) -> list[ipaddress._BaseAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    if not resolve:
        return []
    try:
        infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise AddressRefused(f"The host {host[:100]} cannot be found.") from exc
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]

"""The address of the client behind the request, as the trusted proxy reports it.

Behind a reverse proxy every request comes from the proxy, so `REMOTE_ADDR` names it, not the
client. Only a header set by our own proxies can be believed, and only the entries they
appended: a client may send any `X-Forwarded-For` it likes, and proxies append to it.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    remote = request.META.get("REMOTE_ADDR", "")
    header = settings.TRUSTED_PROXY_HEADER
    if not header:
        return remote
    entries = [entry.strip() for entry in request.headers.get(header, "").split(",")]
    entries = [entry for entry in entries if entry]
    if len(entries) < settings.TRUSTED_PROXY_COUNT:
        return remote
    # With N trusted proxies the client is the Nth entry from the right.
    candidate = entries[-settings.TRUSTED_PROXY_COUNT]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote

"""Headers Django does not set by itself: CSP, Permissions-Policy, no caching of live pages."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.http import http_date

# What django.utils.cache.add_never_cache_headers sets on a response without Cache-Control,
# written out: it parses and rebuilds the header, a twentieth of an API request's CPU
# (bench/api_request_cost.py --profile).
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"


class SecurityHeadersMiddleware:
    """Sits after the static-file middleware, so it sees only pages the app renders."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        # Pages carry personal data and CSRF tokens: a shared or back-button cache must not
        # keep them. Views that choose their own caching keep it.
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = NEVER_CACHE
            response.headers.setdefault("Expires", http_date())
        return response

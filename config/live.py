"""Live regions: parts of a page that htmx polls, answered cheaply when nothing changed.

A region's view computes a short cursor from what the region shows, before rendering
anything. The rendered region carries the cursor in its polling URL (`?cursor=...`); a poll
that brings back the current cursor gets an empty 204, which htmx does not swap. A region that
has nothing more to wait for (the QR panel once a number is linked) is sent one last time with
htmx's stop-polling status 286. See docs/architecture.md, "Live regions".
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseStopPolling

CURSOR_PARAMETER = "cursor"


def cursor_of(*parts: Any) -> str:
    """A short fingerprint of everything a region shows; equal parts give equal cursors."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()


def render_live_region(
    request: HttpRequest,
    template: str,
    *,
    cursor: str,
    context: Callable[[], Mapping[str, Any]],
    final: bool = False,
) -> HttpResponse:
    """Answer a poll of a region: 204 if the client shows `cursor` already, else render.

    `context` is only called when the region is rendered, so an unchanged poll costs no more
    than computing the cursor. `final` ends the client's polling (for htmx requests only).
    The template gets the cursor as `cursor`.
    """
    if request.htmx and request.GET.get(CURSOR_PARAMETER) == cursor:
        response = HttpResponse(status=204)
    else:
        content = render_to_string(template, {**context(), "cursor": cursor}, request)
        response_class = HttpResponseStopPolling if final and request.htmx else HttpResponse
        response = response_class(content)
    # The same URL answers a whole page or a region, so caches must key on the header.
    patch_vary_headers(response, ["HX-Request"])
    return response

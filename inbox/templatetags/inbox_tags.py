"""Showing untrusted message text: escaped, with only http(s) addresses made into links."""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Applied to escaped text, so an address cannot contain a quote or an angle bracket.
LINK = re.compile(r"\bhttps?://[^\s<>\"']{1,2000}", re.IGNORECASE)
TRAILING = ".,;:!?)]}"

TICKS = {
    "queued": ("🕓", "Pending"),
    "sending": ("🕓", "Pending"),
    "sent": ("✓", "Sent"),
    "delivered": ("✓✓", "Delivered"),
    "read": ("✓✓", "Read"),
    "played": ("✓✓", "Played"),
    "failed": ("⚠", "Failed"),
    "unconfirmed": ("?", "Not confirmed"),
    "cancelled": ("✕", "Cancelled"),
}


@register.filter
def message_text(value: str) -> SafeString:
    """Escape everything; then link http(s) addresses, opened without access to this page."""

    def link(match: re.Match) -> str:
        address = match.group(0)
        tail = ""
        while address and address[-1] in TRAILING:
            address, tail = address[:-1], address[-1] + tail
        return (
            f'<a href="{address}" rel="noopener noreferrer nofollow" target="_blank">'
            f"{address}</a>{tail}"
        )

    return mark_safe(LINK.sub(link, escape(value or "")))  # noqa: S308 - escaped just above


@register.filter
def tick_symbol(status: str) -> str:
    return TICKS.get(status, ("", ""))[0]


@register.filter
def tick_label(status: str) -> str:
    return TICKS.get(status, ("", ""))[1]


@register.filter
def is_image(mimetype: str) -> bool:
    return (mimetype or "").split(";")[0].strip().lower() in {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
    }

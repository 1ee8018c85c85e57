"""Small real PNGs: the login QR, a screenshot stand-in, and media files."""

from __future__ import annotations

import io

import segno


def qr_png(value: str) -> bytes:
    """The QR a phone would scan, rendered from the raw value like WAHA does."""
    buffer = io.BytesIO()
    segno.make(value, error="l", micro=False).save(buffer, kind="png", scale=4, border=4)
    return buffer.getvalue()


def text_png(text: str) -> bytes:
    """Any small, valid PNG that says something: a QR code of `text`."""
    buffer = io.BytesIO()
    segno.make(text, micro=False).save(buffer, kind="png", scale=2, border=2)
    return buffer.getvalue()


def media_content(mimetype: str, filename: str) -> bytes:
    if mimetype.startswith("image/"):
        return text_png(filename)
    return f"Simulated media: {filename}\n".encode()

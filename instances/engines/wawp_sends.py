"""Wawp's send endpoints (`/v2/send/*`, docs/gateways.md): one body builder per message kind.

Wawp's reference writes file fields in bracket form (`file[url]`); as JSON they are a `file` object,
as Wawp's group-picture and media-convert endpoints describe it. `instance_id`,
`access_token`, `chatId` and `reply_to` are added by the engine.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from instances.engines.base import MessageKind

# Seed 001 does not spell out poll and vCard bodies; they are those of the WAHA it wraps.
from instances.engines.waha_sends import contacts_body, poll_body


def _file(payload: dict[str, Any]) -> dict[str, Any]:
    url = payload["url"]
    filename = payload.get("filename") or PurePosixPath(urlsplit(url).path).name or "file"
    mimetype = payload.get("mimetype") or mimetypes.guess_type(filename)[0]
    return {"url": url, "filename": filename, "mimetype": mimetype or "application/octet-stream"}


def _media(payload: dict[str, Any]) -> dict[str, Any]:
    # Wawp's reference marks `caption` as required on image, pdf and video.
    return {"file": _file(payload), "caption": payload.get("caption", "")}


def _video(payload: dict[str, Any]) -> dict[str, Any]:
    return {**_media(payload), "convert": False, "asNote": False}


def _voice(payload: dict[str, Any]) -> dict[str, Any]:
    file = _file(payload)
    # WhatsApp plays voice notes as OGG/Opus only; anything else needs Wawp's transcoding.
    return {"file": file, "convert": not file["mimetype"].startswith("audio/ogg")}


def _list(payload: dict[str, Any]) -> dict[str, Any]:
    message = {
        "title": payload["title"],
        "description": payload.get("description", ""),
        "footer": payload.get("footer", ""),
        "button": payload["button_text"],
        "sections": list(payload["sections"]),
    }
    return {"message": message}


def _location(payload: dict[str, Any]) -> dict[str, Any]:
    # Wawp's reference types both coordinates as decimal strings; `message` is the address line.
    return {
        "latitude": str(float(payload["latitude"])),
        "longitude": str(float(payload["longitude"])),
        "title": payload.get("title", ""),
        "message": payload.get("address", ""),
    }


def _link_preview(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": payload["url"],
        "text": payload.get("text") or payload["url"],
        "thumbnail": payload.get("image_url", ""),
        "title": payload.get("title", ""),
        "description": payload.get("description", ""),
        "linkPreviewHighQuality": bool(payload.get("image_url")),
    }


Builder = Callable[[dict[str, Any]], dict[str, Any]]

SEND_ROUTES: dict[MessageKind, tuple[str, str, Builder]] = {
    MessageKind.TEXT: ("POST", "/v2/send/text", lambda p: {"message": p["text"]}),
    MessageKind.IMAGE: ("POST", "/v2/send/image", _media),
    MessageKind.DOCUMENT: ("POST", "/v2/send/pdf", _media),
    MessageKind.VIDEO: ("POST", "/v2/send/video", _video),
    MessageKind.VOICE: ("POST", "/v2/send/voice", _voice),
    MessageKind.LIST: ("POST", "/v2/send/list", _list),
    MessageKind.LOCATION: ("POST", "/v2/send/location", _location),
    MessageKind.POLL: ("POST", "/v2/send/poll", poll_body),
    MessageKind.CONTACT: ("POST", "/v2/send/contact", contacts_body),
    MessageKind.LINK_PREVIEW: ("POST", "/v2/send/link-preview", _link_preview),
    MessageKind.REACTION: (
        "PUT",
        "/v2/send/reaction",
        lambda p: {"messageId": p["message_id"], "reaction": p.get("emoji", "")},
    ),
}

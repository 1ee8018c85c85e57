"""WAHA's send endpoints: one body builder per message kind, and reading the sent id back.

Field names are those of WAHA Core 2024.10.8's OpenAPI document (`MessageTextRequest`,
`MessageImageRequest`, ...); `session`, `chatId`, `reply_to` and `id` are added by the engine.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from typing import Any

from instances.engines.base import MessageKind
from instances.engines.waha_webhooks import serialized_id


def sent_message_id(data: Any) -> str:
    """The id of a message WAHA just sent.

    WEBJS answers with `id` (a string or `{_serialized}`); NOWEB answers with the raw Baileys
    message, `{key: {remoteJid, fromMe, id}}`, which WAHA serializes as
    `<fromMe>_<chat id>_<id>` in its webhooks.
    """
    if not isinstance(data, dict):
        return ""
    found = serialized_id(data.get("id"))
    if found:
        return found
    key = data.get("key")
    if isinstance(key, dict) and isinstance(key.get("id"), str):
        chat = str(key.get("remoteJid", "")).replace("@s.whatsapp.net", "@c.us")
        return f"{'true' if key.get('fromMe') else 'false'}_{chat}_{key['id']}"
    return ""


def _remote_file(payload: dict[str, Any]) -> dict[str, Any]:
    url = payload["url"]
    mimetype = payload.get("mimetype") or mimetypes.guess_type(url)[0]
    file = {"url": url, "mimetype": mimetype or "application/octet-stream"}
    if payload.get("filename"):
        file["filename"] = payload["filename"]
    return file


def _with_caption(payload: dict[str, Any]) -> dict[str, Any]:
    body = {"file": _remote_file(payload)}
    if payload.get("caption"):
        body["caption"] = payload["caption"]
    return body


def _text(payload: dict[str, Any]) -> dict[str, Any]:
    body = {"text": payload["text"]}
    if "link_preview" in payload:
        body["linkPreview"] = bool(payload["link_preview"])
    return body


def _link_preview(payload: dict[str, Any]) -> dict[str, Any]:
    # WAHA's custom-preview endpoint is Plus-only and absent from the 2024.10.8 document, so
    # the card is left to WhatsApp: the URL goes in the text with `linkPreview` on.
    text, url = payload.get("text") or "", payload["url"]
    if url not in text:
        text = f"{text}\n{url}".strip()
    return {"text": text, "linkPreview": True}


def contacts_body(payload: dict[str, Any]) -> dict[str, Any]:
    if payload.get("vcard"):
        return {"contacts": [{"vcard": payload["vcard"]}]}
    return {"contacts": list(payload["contacts"])}


def poll_body(payload: dict[str, Any]) -> dict[str, Any]:
    poll = {
        "name": payload["name"],
        "options": list(payload["options"]),
        "multipleAnswers": bool(payload.get("multiple", False)),
    }
    return {"poll": poll}


def _location(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "latitude": float(payload["latitude"]),
        "longitude": float(payload["longitude"]),
        "title": payload.get("title", ""),
    }


def _reaction(payload: dict[str, Any]) -> dict[str, Any]:
    return {"messageId": payload["message_id"], "reaction": payload.get("emoji", "")}


Builder = Callable[[dict[str, Any]], dict[str, Any]]

# kind -> (HTTP method, path, body builder). WAHA 2024.10.8 has no list message endpoint.
SEND_ROUTES: dict[MessageKind, tuple[str, str, Builder]] = {
    MessageKind.TEXT: ("POST", "/api/sendText", _text),
    MessageKind.IMAGE: ("POST", "/api/sendImage", _with_caption),
    MessageKind.DOCUMENT: ("POST", "/api/sendFile", _with_caption),
    MessageKind.VIDEO: ("POST", "/api/sendVideo", _with_caption),
    MessageKind.VOICE: ("POST", "/api/sendVoice", lambda p: {"file": _remote_file(p)}),
    MessageKind.LOCATION: ("POST", "/api/sendLocation", _location),
    MessageKind.CONTACT: ("POST", "/api/sendContactVcard", contacts_body),
    MessageKind.POLL: ("POST", "/api/sendPoll", poll_body),
    MessageKind.LINK_PREVIEW: ("POST", "/api/sendText", _link_preview),
    MessageKind.REACTION: ("PUT", "/api/reaction", _reaction),
}

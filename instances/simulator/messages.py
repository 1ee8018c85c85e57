"""WAHA message objects (the `WAMessage` schema) for sends and inbound messages, and ack bodies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .ids import jid_for

ACK_NAMES = {-1: "ERROR", 0: "PENDING", 1: "SERVER", 2: "DEVICE", 3: "READ", 4: "PLAYED"}
SERVER, DEVICE, READ = 1, 2, 3

_EXTENSIONS = {
    "image/jpeg": "jpeg",
    "image/png": "png",
    "image/webp": "webp",
    "video/mp4": "mp4",
    "audio/ogg": "oga",
    "audio/mpeg": "mp3",
    "application/pdf": "pdf",
}
_DEFAULT_MIMETYPES = {
    "sendImage": "image/jpeg",
    "sendVoice": "audio/ogg; codecs=opus",
    "sendVideo": "video/mp4",
    "sendFile": "application/octet-stream",
}

# What a send request contributes to the message: (body text, file or None, extra fields).
Content = tuple[str, dict[str, Any] | None, dict[str, Any]]


def media_filename(key: str, mimetype: str) -> str:
    extension = _EXTENSIONS.get(mimetype.split(";", 1)[0].strip(), "bin")
    return f"{key}.{extension}"


def outgoing_message(
    endpoint: str,
    request: dict[str, Any],
    *,
    message_id: str,
    key: str,
    chat_id: str,
    me_id: str,
    timestamp: int,
    files_url: str,
) -> dict[str, Any]:
    """The message object a send answers with (201) and `message.any` carries."""
    body, file, extra = _CONTENT[endpoint](request)
    media = None
    if file is not None:
        mimetype = str(file.get("mimetype") or _DEFAULT_MIMETYPES.get(endpoint, ""))
        media = {
            "url": file.get("url") or f"{files_url}/{media_filename(key, mimetype)}",
            "mimetype": mimetype,
            "filename": file.get("filename"),
            "error": None,
        }
    if request.get("reply_to"):
        extra["replyTo"] = {"id": request["reply_to"]}
    message = _message(
        message_id=message_id,
        timestamp=timestamp,
        sender=me_id,
        recipient=chat_id,
        from_me=True,
        body=body,
        media=media,
        ack=SERVER,
        data={
            "key": {"remoteJid": jid_for(chat_id), "fromMe": True, "id": key},
            "messageTimestamp": timestamp,
            "status": "SERVER_ACK",
        },
    )
    # docs/gateways.md: `message.any` tells your own messages apart by `source` (api or app).
    message["source"] = "api"
    message.update(extra)
    return message


def incoming_message(
    *,
    message_id: str,
    key: str,
    chat_id: str,
    me_id: str | None,
    timestamp: int,
    text: str,
    push_name: str,
    media: dict[str, Any] | None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": {"remoteJid": jid_for(chat_id), "fromMe": False, "id": key},
        "messageTimestamp": timestamp,
        "message": {"conversation": text},
    }
    # NOWEB carries the sender's display name only in the raw message.
    if push_name:
        data["pushName"] = push_name
    return _message(
        message_id=message_id,
        timestamp=timestamp,
        sender=chat_id,
        recipient=me_id,
        from_me=False,
        body=text,
        media=media,
        ack=DEVICE,
        data=data,
    )


def ack_payload(message: dict[str, Any], ack: int) -> dict[str, Any]:
    """The `message.ack` payload (`WAMessageAckBody`)."""
    return {
        "id": message["id"],
        "from": message["from"],
        "to": message["to"],
        "participant": message["participant"],
        "fromMe": message["fromMe"],
        "ack": ack,
        "ackName": ACK_NAMES[ack],
    }


def set_ack(message: dict[str, Any], ack: int) -> None:
    """Acks only move forward, however late or out of order they are applied."""
    if ack > message["ack"]:
        message["ack"] = ack
        message["ackName"] = ACK_NAMES[ack]


def _message(
    *,
    message_id: str,
    timestamp: int,
    sender: str | None,
    recipient: str | None,
    from_me: bool,
    body: str,
    media: dict[str, Any] | None,
    ack: int,
    data: dict[str, Any],
) -> dict[str, Any]:
    return {
        "id": message_id,
        "timestamp": timestamp,
        "from": sender,
        "fromMe": from_me,
        "to": recipient,
        "participant": None,
        "body": body,
        "hasMedia": media is not None,
        "media": media,
        "mediaUrl": media["url"] if media else None,
        "ack": ack,
        "ackName": ACK_NAMES[ack],
        "_data": data,
    }


def _text(request: dict[str, Any]) -> Content:
    return request["text"], None, {}


def _file(request: dict[str, Any]) -> Content:
    return request.get("caption") or "", request["file"], {}


def _location(request: dict[str, Any]) -> Content:
    location = {
        "latitude": str(request["latitude"]),
        "longitude": str(request["longitude"]),
        "description": request["title"],
    }
    return "", None, {"location": location}


def _vcards(request: dict[str, Any]) -> Content:
    cards = []
    for contact in request["contacts"]:
        contact = contact if isinstance(contact, dict) else {}
        cards.append(contact.get("vcard") or _vcard(contact))
    return "", None, {"vCards": cards}


def _vcard(contact: dict[str, Any]) -> str:
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"FN:{contact.get('fullName', '')}"]
    if contact.get("organization"):
        lines.append(f"ORG:{contact['organization']};")
    phone = contact.get("phoneNumber", "")
    waid = contact.get("whatsappId") or "".join(ch for ch in phone if ch.isdigit())
    lines += [f"TEL;type=CELL;type=VOICE;waid={waid}:{phone}", "END:VCARD"]
    return "\n".join(lines)


def _poll(request: dict[str, Any]) -> Content:
    return request["poll"]["name"], None, {"poll": request["poll"]}


def _link_preview(request: dict[str, Any]) -> Content:
    # NOWEB sends a link preview as plain text: the title, a newline, the URL.
    return f"{request['title']}\n{request['url']}", None, {}


def _custom_preview(request: dict[str, Any]) -> Content:
    return request["text"], None, {"preview": request["preview"]}


def _list(request: dict[str, Any]) -> Content:
    message = request["message"]
    return str(message.get("description") or message.get("title") or ""), None, {}


def _buttons(request: dict[str, Any]) -> Content:
    return request["body"], None, {}


def _reaction(request: dict[str, Any]) -> Content:
    reaction = {"text": request["reaction"], "messageId": request["messageId"]}
    return request["reaction"], None, {"reaction": reaction}


_CONTENT: dict[str, Callable[[dict[str, Any]], Content]] = {
    "sendText": _text,
    "reply": _text,
    "sendImage": _file,
    "sendFile": _file,
    "sendVoice": _file,
    "sendVideo": _file,
    "sendLocation": _location,
    "sendContactVcard": _vcards,
    "sendPoll": _poll,
    "sendLinkPreview": _link_preview,
    "sendLinkCustomPreview": _custom_preview,
    "sendList": _list,
    "sendButtons": _buttons,
    "reaction": _reaction,
}
MESSAGE_ENDPOINTS = frozenset(_CONTENT)

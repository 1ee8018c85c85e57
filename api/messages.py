"""`/messages/...`: queue one message of each kind through `enqueue`, read its status."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError
from django.http import HttpRequest
from ninja import Router

from accounts.roles import Ability
from api import schemas
from api.auth import instance_for_key, may_use, parse_uuid, require_ability, unknown_profile
from api.envelope import ApiError, Code, invalid, rendered, success
from instances.engines.base import MessageKind
from instances.models import OutboundMessage
from instances.outbound.enqueue import enqueue
from instances.outbound.errors import OutboundValidationError

router = Router(tags=["Messages"])

# The one place seed 002's names meet enqueue's payload keys (instances/outbound/validation.py);
# a name missing here is the same on both sides.
PAYLOAD_KEYS = {
    "linkPreview": "link_preview",
    "buttonText": "button_text",
    "imageUrl": "image_url",
    "messageId": "message_id",
    "replyTo": "reply_to",
    "multipleAnswers": "multiple",
    "base64": "file",
}
API_NAMES = {payload: api for api, payload in PAYLOAD_KEYS.items()}
# enqueue's own argument names, as the request names them.
TOP_LEVEL = {"to": "chatId", "priority": "priority", "send_at": "sendAt", "kind": "type"}

# (path, kind, content schema), in the order the reference lists them.
KINDS: list[tuple[str, MessageKind, type[schemas.Content]]] = [
    ("text", MessageKind.TEXT, schemas.TextContent),
    ("image", MessageKind.IMAGE, schemas.MediaContent),
    ("video", MessageKind.VIDEO, schemas.MediaContent),
    ("document", MessageKind.DOCUMENT, schemas.MediaContent),
    ("voice", MessageKind.VOICE, schemas.MediaContent),
    ("location", MessageKind.LOCATION, schemas.LocationContent),
    ("contact", MessageKind.CONTACT, schemas.ContactContent),
    ("poll", MessageKind.POLL, schemas.PollContent),
    ("list", MessageKind.LIST, schemas.ListContent),
    ("reaction", MessageKind.REACTION, schemas.ReactionContent),
    ("link-preview", MessageKind.LINK_PREVIEW, schemas.LinkPreviewContent),
]


def to_payload(content: Any) -> Any:
    """Seed 002's content object as enqueue's payload (nested lists and objects too)."""
    if isinstance(content, dict):
        return {PAYLOAD_KEYS.get(key, key): to_payload(value) for key, value in content.items()}
    if isinstance(content, list):
        return [to_payload(value) for value in content]
    return content


def to_content(payload: Any) -> Any:
    if isinstance(payload, dict):
        return {API_NAMES.get(key, key): to_content(value) for key, value in payload.items()}
    if isinstance(payload, list):
        return [to_content(value) for value in payload]
    return payload


def api_field(field: str) -> str:
    """enqueue's error field (`sections.0.button_text`) as the request names it."""
    if field in TOP_LEVEL:
        return TOP_LEVEL[field]
    parts = [API_NAMES.get(part, part) for part in field.split(".")]
    return "content" if field == "payload" else "content." + ".".join(parts)


def validation_error(errors: dict[str, list[str]]) -> ApiError:
    return invalid({api_field(field): messages for field, messages in errors.items()})


def file_of(payload: dict[str, Any]) -> ContentFile | None:
    """The base64 file of a media message (taken out of the payload), for enqueue's `upload`."""
    data = payload.pop("file", None)
    if data is None:
        return None
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise OutboundValidationError({"file": ["Must be base64."]}) from None
    return ContentFile(raw, name=payload.get("filename") or "file")


def message_data(message: OutboundMessage) -> dict[str, Any]:
    return {
        "id": str(message.client_id),
        "profileId": str(message.instance.uuid),
        "chatId": message.chat_id,
        "type": message.kind,
        "status": message.status,
        "priority": message.priority,
        "sendAt": message.send_at,
        "createdAt": message.created_at,
        "sentAt": message.sent_at,
        "providerMessageId": message.provider_id or None,
        "error": message.last_error or None,
        "content": to_content(message.payload),
    }


def _sender(kind: MessageKind, schema: type[schemas.SendBase]):
    def send(request: HttpRequest, body):
        key = require_ability(request, Ability.SEND_MESSAGES)
        instance = instance_for_key(key, body.profileId, kept=True)
        payload = to_payload(body.content.model_dump(exclude_none=True))
        try:
            upload = file_of(payload)
            message = enqueue(
                instance,
                body.chatId,
                kind,
                payload,
                priority=body.priority,
                send_at=body.sendAt,
                upload=upload,
            )
        except OutboundValidationError as exc:
            raise validation_error(exc.errors) from None
        except IntegrityError:
            # The kept instance was deleted since, in another process.
            raise unknown_profile(body.profileId) from None
        return rendered(success(message_data(message)), status=201)

    send.__annotations__ = {"request": HttpRequest, "body": schema}
    send.__name__ = f"send_{kind.value}"
    return send


for path, kind, content in KINDS:
    name = "".join(part.capitalize() for part in path.split("-"))
    router.post(
        f"/{path}",
        response=schemas.answers(201, schemas.MessageEnvelope, 403, 404),
        summary=f"Queue {'an' if path[0] in 'aeiou' else 'a'} {path.replace('-', ' ')} message",
        operation_id=f"send_{kind.value}",
    )(_sender(kind, schemas.send_schema(f"Send{name}", content)))


@router.get(
    "/{message_id}",
    response=schemas.answers(200, schemas.MessageEnvelope, 403, 404),
    summary="A message and its status",
)
def get_message(request: HttpRequest, message_id: str):
    key = require_ability(request, Ability.VIEW_INSTANCES)
    uid = parse_uuid(message_id)
    message = (
        OutboundMessage.objects.select_related("instance").filter(client_id=uid).first()
        if uid
        else None
    )
    if message is None or not may_use(key, message.instance):
        raise ApiError(Code.NOT_FOUND, f"No message with id {message_id[:64]!r}.")
    return success(message_data(message))

"""Request validation in the manner of WAHA's NestJS ValidationPipe: 400 with a list of messages.

Required fields follow the request schemas in WAHA 2024.10.8's OpenAPI document; sendList and
sendLinkCustomPreview come from newer WAHA releases and are accepted as well.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from .errors import bad_request

SESSION_NAME_MAX_LENGTH = 54
RETRY_POLICIES = ("linear", "exponential", "constant")

STRING, NUMBER, OBJECT, ARRAY, FILE, ANY_STRING = (
    "string",
    "number",
    "object",
    "array",
    "file",
    "any-string",
)

# endpoint -> required field -> kind. ANY_STRING may be empty (a reaction of "" removes one).
SEND_REQUIRED: dict[str, dict[str, str]] = {
    "sendText": {"chatId": STRING, "text": STRING, "session": STRING},
    "reply": {"chatId": STRING, "text": STRING, "session": STRING},
    "sendImage": {"chatId": STRING, "file": FILE, "session": STRING},
    "sendFile": {"chatId": STRING, "file": FILE, "session": STRING},
    "sendVoice": {"chatId": STRING, "file": FILE, "session": STRING},
    "sendVideo": {"chatId": STRING, "file": FILE, "session": STRING},
    "sendLocation": {
        "chatId": STRING,
        "latitude": NUMBER,
        "longitude": NUMBER,
        "title": STRING,
        "session": STRING,
    },
    "sendContactVcard": {"chatId": STRING, "contacts": ARRAY, "session": STRING},
    "sendPoll": {"chatId": STRING, "poll": OBJECT, "session": STRING},
    "sendLinkPreview": {"chatId": STRING, "url": STRING, "title": STRING, "session": STRING},
    "sendLinkCustomPreview": {
        "chatId": STRING,
        "text": STRING,
        "preview": OBJECT,
        "session": STRING,
    },
    "sendList": {"chatId": STRING, "message": OBJECT, "session": STRING},
    "sendButtons": {
        "chatId": STRING,
        "header": STRING,
        "body": STRING,
        "footer": STRING,
        "buttons": ARRAY,
        "session": STRING,
    },
    "reaction": {"messageId": STRING, "reaction": ANY_STRING, "session": STRING},
    "sendSeen": {"chatId": STRING, "session": STRING},
    "startTyping": {"chatId": STRING, "session": STRING},
    "stopTyping": {"chatId": STRING, "session": STRING},
}
_NESTED_REQUIRED: dict[str, dict[str, str]] = {
    "poll": {"name": STRING, "options": ARRAY},
    "preview": {"url": STRING, "title": STRING},
}
_OPTIONAL_STRINGS = ("reply_to", "id", "caption")


def require_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request(["body must be an object"])
    return body


def validate_send(endpoint: str, body: Any) -> dict[str, Any]:
    body = require_object(body)
    errors = _check_required(body, SEND_REQUIRED[endpoint], prefix="")
    for name, required in _NESTED_REQUIRED.items():
        if name in SEND_REQUIRED[endpoint] and isinstance(body.get(name), dict):
            errors += _check_required(body[name], required, prefix=f"{name}.")
    errors += [
        f"{name} must be a string"
        for name in _OPTIONAL_STRINGS
        if body.get(name) is not None and not isinstance(body[name], str)
    ]
    if errors:
        raise bad_request(errors)
    return body


def validate_session_create(
    body: Any, allowed_events: tuple[str, ...] | None = None
) -> tuple[str, bool, dict[str, Any] | None]:
    """(name, start, config) of a `POST /api/sessions` body; `allowed_events` None: any."""
    body = require_object(body)
    name = body.get("name", "default")
    start = body.get("start", True)
    errors = []
    if not isinstance(name, str) or not name:
        errors.append("name must be a string")
    elif len(name) > SESSION_NAME_MAX_LENGTH:
        errors.append(f"name must be shorter than or equal to {SESSION_NAME_MAX_LENGTH} characters")
    if not isinstance(start, bool):
        errors.append("start must be a boolean value")
    errors += validate_config(body.get("config"), allowed_events)
    if errors:
        raise bad_request(errors)
    return name, start, body.get("config")


def validate_session_update(
    body: Any, allowed_events: tuple[str, ...] | None = None
) -> dict[str, Any] | None:
    body = require_object(body)
    errors = validate_config(body.get("config"), allowed_events)
    if errors:
        raise bad_request(errors)
    return body.get("config")


def validate_config(config: Any, allowed_events: tuple[str, ...] | None = None) -> list[str]:
    if config is None:
        return []
    if not isinstance(config, dict):
        return ["config must be an object"]
    errors = []
    metadata = config.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        errors.append("config.metadata must be an object")
    webhooks = config.get("webhooks")
    if webhooks is None:
        return errors
    if not isinstance(webhooks, list):
        return [*errors, "config.webhooks must be an array"]
    for index, webhook in enumerate(webhooks):
        errors += _validate_webhook(webhook, f"config.webhooks.{index}", allowed_events)
    return errors


def _validate_webhook(
    webhook: Any, prefix: str, allowed_events: tuple[str, ...] | None
) -> list[str]:
    if not isinstance(webhook, dict):
        return [f"{prefix} must be an object"]
    errors = []
    if not _is_url(webhook.get("url")):
        errors.append(f"{prefix}.url must be a URL address")
    events = webhook.get("events")
    if not isinstance(events, list) or not all(isinstance(event, str) for event in events):
        errors.append(f"{prefix}.events must be an array of strings")
    elif allowed_events is not None and not set(events) <= {"*", *allowed_events}:
        # class-validator's wording, prefixed with the nested path the NestJS way.
        errors.append(
            f"{prefix}.each value in events must be one of the following values: "
            + ", ".join(allowed_events)
        )
    hmac = webhook.get("hmac")
    if hmac is not None and not (
        isinstance(hmac, dict) and isinstance(hmac.get("key", ""), str | None)
    ):
        errors.append(f"{prefix}.hmac.key must be a string")
    errors += _validate_retries(webhook.get("retries"), f"{prefix}.retries")
    headers = webhook.get("customHeaders")
    if headers is not None and not (
        isinstance(headers, list)
        and all(
            isinstance(header, dict)
            and isinstance(header.get("name"), str)
            and isinstance(header.get("value"), str)
            for header in headers
        )
    ):
        errors.append(f"{prefix}.customHeaders must be an array of {{name, value}} strings")
    return errors


def _validate_retries(retries: Any, prefix: str) -> list[str]:
    if retries is None:
        return []
    if not isinstance(retries, dict):
        return [f"{prefix} must be an object"]
    errors = []
    policy = retries.get("policy")
    if policy is not None and policy not in RETRY_POLICIES:
        errors.append(
            f"{prefix}.policy must be one of the following values: {', '.join(RETRY_POLICIES)}"
        )
    for name in ("delaySeconds", "attempts"):
        value = retries.get(name)
        if value is not None and not (_is_number(value) and value >= 0):
            errors.append(f"{prefix}.{name} must not be less than 0")
    return errors


def _check_required(body: dict[str, Any], required: dict[str, str], prefix: str) -> list[str]:
    errors = []
    for name, kind in required.items():
        value = body.get(name)
        label = prefix + name
        if value is None or (value == "" and kind != ANY_STRING):
            errors.append(f"{label} should not be empty")
        elif kind in (STRING, ANY_STRING) and not isinstance(value, str):
            errors.append(f"{label} must be a string")
        elif kind == NUMBER and not _is_number(value):
            errors.append(f"{label} must be a number conforming to the specified constraints")
        elif kind == OBJECT and not isinstance(value, dict):
            errors.append(f"{label} must be an object")
        elif kind == ARRAY and not isinstance(value, list):
            errors.append(f"{label} must be an array")
        elif kind == FILE and not (
            isinstance(value, dict) and (value.get("url") or value.get("data"))
        ):
            errors.append(f"{label} must have either url or data")
    return errors


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)

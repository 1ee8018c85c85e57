from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import Ability, require
from inbox import services
from inbox.signatures import hmac_is_valid, token_is_valid
from instances.models import Instance

logger = logging.getLogger(__name__)


@require(Ability.USE_INBOX)
@require_GET
def chat_list(request):
    return render(request, "inbox/chat_list.html")


def _error(status: int, reason: str) -> JsonResponse:
    return JsonResponse({"error": reason}, status=status)


@csrf_exempt
@require_POST
def receive_webhook(request, instance_uuid, token: str = ""):
    """Engines post events here, to an address with the secret; a signature, when sent, must
    be valid, and the address without the secret requires one. Never a 500."""
    if _declared_length(request) > settings.WEBHOOK_MAX_BODY_BYTES:
        return _error(413, f"body larger than {settings.WEBHOOK_MAX_BODY_BYTES} bytes")
    instance = Instance.objects.filter(uuid=instance_uuid).first()
    if instance is None:
        return _error(404, "unknown instance")
    body = request.body
    if token and not token_is_valid(token, instance.webhook_secret):
        return _error(401, "bad secret")
    signature = request.headers.get("X-Webhook-Hmac", "")
    if signature or not token:
        algorithm = request.headers.get("X-Webhook-Hmac-Algorithm", "sha512")
        if not hmac_is_valid(body, instance.webhook_secret, signature, algorithm):
            return _error(401, "bad signature")
    try:
        events = services.parse_webhook(instance, dict(request.headers), body)
    except ValueError as exc:
        return _error(400, f"not a webhook envelope: {exc}"[:200])
    try:
        result = services.ingest_events(instance, events, body)
    except DatabaseError:
        # Nothing was stored: say so, and the engine delivers the event again later.
        logger.exception("Storing a webhook for instance %s failed", instance.pk)
        response = _error(503, "could not store the event now; retry later")
        response["Retry-After"] = "5"
        return response
    return JsonResponse({"stored": result.stored, "duplicates": result.duplicates})


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0

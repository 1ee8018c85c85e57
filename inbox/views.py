from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import Ability, require
from inbox import services
from inbox.signatures import hmac_is_valid, token_is_valid
from instances.models import Instance


@require(Ability.USE_INBOX)
@require_GET
def chat_list(request):
    return render(request, "inbox/chat_list.html")


def _error(status: int, reason: str) -> JsonResponse:
    return JsonResponse({"error": reason}, status=status)


@csrf_exempt
@require_POST
def receive_webhook(request, instance_uuid, token: str = ""):
    """Engines post events here. Signed (WAHA) or with the secret in the URL; never a 500."""
    instance = Instance.objects.filter(uuid=instance_uuid).first()
    if instance is None:
        return _error(404, "unknown instance")
    body = request.body
    if token:
        authentic = token_is_valid(token, instance.webhook_secret)
    else:
        authentic = hmac_is_valid(
            body,
            instance.webhook_secret,
            request.headers.get("X-Webhook-Hmac", ""),
            request.headers.get("X-Webhook-Hmac-Algorithm", "sha512"),
        )
    if not authentic:
        return _error(401, "bad signature")
    try:
        events = services.parse_webhook(instance, dict(request.headers), body)
    except ValueError as exc:
        return _error(400, f"not a webhook envelope: {exc}"[:200])
    result = services.ingest_events(instance, events, body)
    return JsonResponse({"stored": result.stored, "duplicates": result.duplicates})

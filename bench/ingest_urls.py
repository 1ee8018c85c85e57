"""URLs for the concurrent ingest benchmark only: the project's own URLs plus one
minimal receiver (`/bench/minimal/<uuid>/`) that verifies the signature and inserts one row.

The URL configuration of `bench/ingest_settings.py`, which `bench/webhook_ingest_concurrent.py`
runs gunicorn with; never used by the app.
"""

from __future__ import annotations

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


@csrf_exempt
@require_POST
def minimal_receiver(request, instance_uuid):
    """The least a receiver must do: find the secret, check the HMAC, insert one row."""
    from inbox.signatures import hmac_is_valid
    from instances.models import Instance

    instance = Instance.objects.filter(uuid=instance_uuid).first()
    body = request.body
    if instance is None or not hmac_is_valid(
        body, instance.webhook_secret, request.headers.get("X-Webhook-Hmac", "")
    ):
        return HttpResponse(status=401)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO inbox_webhookevent (instance_id, event_id, event, kind, session, payload, "
            "state, error, received_at) VALUES (%s, %s, 'message', 'message', '', %s, "
            "'stored', '', now())",
            [instance.pk, request.headers.get("X-Webhook-Request-Id", ""), body.decode()],
        )
    return JsonResponse({"stored": 1})


urlpatterns = [
    path("bench/minimal/<uuid:instance_uuid>/", minimal_receiver),
    path("", include("config.urls")),
]

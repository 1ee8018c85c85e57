from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.dashboard import dashboard_cards, paused_queues
from config.health import run_checks


@login_required
@require_GET
def home(request):
    context = {"cards": dashboard_cards(request.user), "paused": paused_queues(request.user)}
    return render(request, "home.html", context)


@never_cache
@require_GET
def healthz(request):
    health = run_checks()
    return JsonResponse(health.as_json(), status=200 if health.ok else 503)

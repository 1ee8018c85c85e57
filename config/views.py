from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.roles import Ability, require
from config.dashboard import dashboard_cards
from config.health import run_checks


@require(Ability.VIEW_DASHBOARD)
@require_GET
def home(request):
    return render(request, "home.html", {"cards": dashboard_cards(request.user)})


@never_cache
@require_GET
def healthz(request):
    health = run_checks()
    return JsonResponse(health.as_json(), status=200 if health.ok else 503)

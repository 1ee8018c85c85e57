from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.roles import Ability, require


@require(Ability.VIEW_INSTANCES)
@require_GET
def instance_list(request):
    return render(request, "instances/instance_list.html")

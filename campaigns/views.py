"""Contacts and campaigns. Their models arrive with the campaigns issue; until then these pages
say so, so the navigation and the role rules are already in place."""

from __future__ import annotations

from django.db.models import Count, Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.roles import Ability, can, require
from instances.models import Instance, InstanceStatus


@require(Ability.MANAGE_CAMPAIGNS)
@require_GET
def campaign_list(request):
    # The empty state's next step depends on whether a number could send a campaign today.
    numbers = Instance.objects.aggregate(
        total=Count("pk"), linked=Count("pk", filter=Q(status=InstanceStatus.WORKING))
    )
    return render(
        request,
        "campaigns/campaign_list.html",
        {"numbers": numbers, "may_add_instances": can(request.user, Ability.MANAGE_INSTANCES)},
    )

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.roles import Ability, require


@require(Ability.USE_INBOX)
@require_GET
def chat_list(request):
    return render(request, "inbox/chat_list.html")

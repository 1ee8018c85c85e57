"""The API keys page (admins only): create (the token is shown once), list, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.roles import Ability, require
from api import services
from api.forms import ApiKeyForm
from api.models import ApiKey


def _get_key_for_admin(pk: int) -> ApiKey:
    return get_object_or_404(ApiKey, pk=pk)


@require(Ability.MANAGE_API_KEYS)
@require_http_methods(["GET"])
def key_list(request):
    keys = ApiKey.objects.select_related("created_by").prefetch_related("instances")
    page = Paginator(keys, 25).get_page(request.GET.get("page"))
    return render(request, "api/key_list.html", {"page": page, "keys": page.object_list})


@require(Ability.MANAGE_API_KEYS)
@require_http_methods(["GET", "POST"])
def key_create(request):
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        key, token = services.create_api_key(
            data["name"],
            data["role"],
            instances=data["instances"],
            expires_at=data["expires_at"],
            created_by=request.user,
        )
        # Rendered, not redirected: the token exists only in this response.
        return render(request, "api/key_created.html", {"key": key, "token": token})
    return render(request, "api/key_form.html", {"form": form})


@require(Ability.MANAGE_API_KEYS)
@require_http_methods(["GET", "POST"])
def key_revoke(request, pk: int):
    key = _get_key_for_admin(pk)
    if request.method == "GET":
        return render(request, "api/key_revoke.html", {"key": key})
    services.revoke_api_key(key)
    messages.success(request, f"API key {key.name} is revoked; calls with it now answer 401.")
    return redirect("api_keys:list")

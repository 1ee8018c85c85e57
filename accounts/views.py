from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.forms import MemberCreateForm, MemberUpdateForm
from accounts.roles import Ability, Role, require, role_of
from accounts.services import set_role
from accounts.sign_in_forms import SignInForm

User = get_user_model()


class LoginView(auth_views.LoginView):
    """Django's login with the throttle's message; a throttled attempt answers 429."""

    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "throttled"):
            response.status_code = 429
        return response


def _get_member_for_admin(pk: int):
    return get_object_or_404(User, pk=pk)


@require(Ability.MANAGE_TEAM)
@require_http_methods(["GET"])
def team(request):
    members = User.objects.order_by("-is_active", "username").prefetch_related("groups")
    page = Paginator(members, 25).get_page(request.GET.get("page"))
    rows = [(member, role_of(member)) for member in page]
    return render(request, "accounts/team.html", {"page": page, "rows": rows})


@require(Ability.MANAGE_TEAM)
@require_http_methods(["GET", "POST"])
def member_add(request):
    form = MemberCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        member = form.save()
        set_role(member, Role(form.cleaned_data["role"]))
        messages.success(request, f"{member.username} joined the team as {member.groups.first()}.")
        return redirect("accounts:team")
    return render(request, "accounts/member_form.html", {"form": form, "member": None})


@require(Ability.MANAGE_TEAM)
@require_http_methods(["GET", "POST"])
def member_edit(request, pk: int):
    member = _get_member_for_admin(pk)
    current_role = role_of(member) or Role.AGENT
    form = MemberUpdateForm(
        request.POST or None, instance=member, initial={"role": current_role.value}
    )
    if request.method == "POST" and form.is_valid():
        new_role = Role(form.cleaned_data["role"])
        if member == request.user and (
            not form.cleaned_data["is_active"] or new_role != Role.ADMIN
        ):
            form.add_error(None, "You cannot deactivate yourself or give up your own admin role.")
        else:
            form.save()
            set_role(member, new_role)
            messages.success(request, f"Saved {member.username}.")
            return redirect("accounts:team")
    return render(request, "accounts/member_form.html", {"form": form, "member": member})

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.forms import MemberCreateForm, MemberUpdateForm
from accounts.roles import Ability, Role, require, role_of
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
        data = form.cleaned_data
        try:
            member = services.add_member(
                username=data["username"],
                password=data["password1"],
                role=Role(data["role"]),
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
        except ValidationError as exc:
            # The form checked the same; this is another admin adding the name meanwhile.
            form.add_error(None, exc)
        else:
            messages.success(
                request, f"{member.username} joined the team as {Role(data['role']).label}."
            )
            return redirect("accounts:team")
    return render(request, "accounts/member_form.html", {"form": form, "member": None})


@require(Ability.MANAGE_TEAM)
@require_http_methods(["GET", "POST"])
def member_edit(request, pk: int):
    member = _get_member_for_admin(pk)
    form = MemberUpdateForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_member(
                member,
                acting_user=request.user,
                role=Role(data["role"]),
                is_active=data["is_active"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
        except services.TeamRuleError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Saved {member.username}.")
            return redirect("accounts:team")
    return render(request, "accounts/member_form.html", {"form": form, "member": member})


@require(Ability.MANAGE_TEAM)
@require_http_methods(["GET", "POST"])
def member_password(request, pk: int):
    member = _get_member_for_admin(pk)
    if member == request.user:
        return redirect("accounts:password_change")
    form = SetPasswordForm(member, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.reset_password(
            member, acting_user=request.user, password=form.cleaned_data["new_password1"]
        )
        messages.success(request, f"{member.username} has a new password and was signed out.")
        return redirect("accounts:member_edit", pk=member.pk)
    return render(request, "accounts/member_password.html", {"form": form, "member": member})

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts import login_throttle, services
from accounts.forms import MemberCreateForm, MemberUpdateForm
from accounts.roles import Ability, Role, require, role_of

User = get_user_model()

THROTTLED_MESSAGE = "Too many failed sign-in attempts. Wait a few minutes and try again."


class LoginView(auth_views.LoginView):
    """Django's login, refusing to check passwords while a username or address is throttled."""

    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        address = request.META.get("REMOTE_ADDR", "")
        if login_throttle.is_throttled(username, address):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, THROTTLED_MESSAGE)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        login_throttle.record_failure(
            self.request.POST.get("username", ""), self.request.META.get("REMOTE_ADDR", "")
        )
        return super().form_invalid(form)

    def form_valid(self, form):
        login_throttle.clear_failures(form.get_user().get_username())
        return super().form_valid(form)


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

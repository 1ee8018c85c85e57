"""The team's rules, as every caller (view, command, API) gets them from accounts.services."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from accounts import services
from accounts.roles import Role, role_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
GOOD_PASSWORD = "a-long-pass-123"


def _edit(member, acting_user, **changes):
    fields = {
        "role": role_of(member),
        "is_active": member.is_active,
        "email": member.email,
        "first_name": member.first_name,
        "last_name": member.last_name,
    } | changes
    services.update_member(member, acting_user=acting_user, **fields)


def test_added_member_has_their_role_and_password():
    member = services.add_member(username="newbie", password=GOOD_PASSWORD, role=Role.OPERATOR)

    member.refresh_from_db()
    assert role_of(member) == Role.OPERATOR
    assert member.check_password(GOOD_PASSWORD)


def test_a_member_is_not_added_when_their_role_cannot_be_set(monkeypatch):
    def broken_set_role(user, role):
        raise RuntimeError("the role groups are unavailable")

    monkeypatch.setattr(services, "set_role", broken_set_role)
    with pytest.raises(RuntimeError):
        services.add_member(username="newbie", password=GOOD_PASSWORD, role=Role.AGENT)

    assert not User.objects.filter(username="newbie").exists()


@pytest.mark.parametrize(
    ("username", "password", "email"),
    [
        ("ada", GOOD_PASSWORD, ""),
        ("has spaces", GOOD_PASSWORD, ""),
        ("newbie", "12345678", ""),
        ("newbie", GOOD_PASSWORD, "not-an-address"),
    ],
    ids=["taken username", "malformed username", "weak password", "malformed email"],
)
def test_adding_a_member_with_bad_details_is_refused(admin, username, password, email):
    with pytest.raises(ValidationError):
        services.add_member(username=username, password=password, role=Role.AGENT, email=email)

    assert User.objects.count() == 1


def test_admin_cannot_demote_themselves(admin):
    with pytest.raises(services.TeamRuleError, match="give up your own admin role"):
        _edit(admin, admin, role=Role.OPERATOR)

    admin.refresh_from_db()
    assert role_of(admin) == Role.ADMIN and admin.is_superuser


def test_admin_cannot_deactivate_themselves(admin):
    with pytest.raises(services.TeamRuleError, match="cannot deactivate yourself"):
        _edit(admin, admin, is_active=False)

    admin.refresh_from_db()
    assert admin.is_active


def test_admin_may_edit_their_own_details(admin):
    _edit(admin, admin, first_name="Ada", email="ada@example.com")

    admin.refresh_from_db()
    assert (admin.first_name, admin.email) == ("Ada", "ada@example.com")


def test_admin_may_demote_and_deactivate_another_admin(admin):
    other = UserFactory(username="boss", role=Role.ADMIN)
    _edit(other, admin, role=Role.AGENT, is_active=False)

    other.refresh_from_db()
    assert role_of(other) == Role.AGENT and not other.is_active
    assert not other.is_staff and not other.is_superuser


def test_reset_password_replaces_the_old_one(admin, agent):
    services.reset_password(agent, acting_user=admin, password=GOOD_PASSWORD)

    agent.refresh_from_db()
    assert agent.check_password(GOOD_PASSWORD)


def test_reset_password_refuses_a_weak_password(admin, agent):
    old_hash = agent.password
    with pytest.raises(ValidationError):
        services.reset_password(agent, acting_user=admin, password="password")

    agent.refresh_from_db()
    assert agent.password == old_hash


def test_admin_cannot_reset_their_own_password_without_the_current_one(admin):
    old_hash = admin.password
    with pytest.raises(services.TeamRuleError, match="Password page"):
        services.reset_password(admin, acting_user=admin, password=GOOD_PASSWORD)

    admin.refresh_from_db()
    assert admin.password == old_hash


def test_add_member_command_adds_a_member_with_the_role(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(GOOD_PASSWORD + "\n"))
    out = io.StringIO()
    call_command("add_member", "newbie", "--role", "operator", "--password-stdin", stdout=out)

    member = User.objects.get(username="newbie")
    assert role_of(member) == Role.OPERATOR and member.check_password(GOOD_PASSWORD)
    assert "newbie joined the team as Operator." in out.getvalue()


def test_add_member_command_explains_a_weak_password(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("12345678\n"))
    with pytest.raises(CommandError, match="too common"):
        call_command("add_member", "newbie", "--password-stdin")

    assert not User.objects.filter(username="newbie").exists()

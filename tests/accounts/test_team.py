from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.roles import Role, role_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_admin_adds_a_member_with_a_role(client_for, admin):
    response = client_for(admin).post(
        reverse("accounts:member_add"),
        {
            "username": "newbie",
            "email": "newbie@example.com",
            "password1": "a-long-pass-123",
            "password2": "a-long-pass-123",
            "role": "operator",
        },
    )
    assert response.status_code == 302
    member = User.objects.get(username="newbie")
    assert role_of(member) == Role.OPERATOR
    assert not member.is_staff


def test_adding_a_member_with_mismatched_passwords_shows_the_error(client_for, admin):
    response = client_for(admin).post(
        reverse("accounts:member_add"),
        {
            "username": "newbie",
            "password1": "a-long-pass-123",
            "password2": "other",
            "role": "agent",
        },
    )
    assert response.status_code == 200
    assert "The two password fields didn" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_admin_changes_a_role_and_deactivates_a_member(client_for, admin, agent):
    response = client_for(admin).post(
        reverse("accounts:member_edit", args=[agent.pk]),
        {"first_name": "Agnes", "last_name": "", "email": "", "role": "admin"},
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert role_of(agent) == Role.ADMIN
    assert not agent.is_active
    assert agent.is_staff


def test_promoted_admin_is_demoted_cleanly(client_for, admin):
    other = UserFactory(username="boss", role=Role.ADMIN)
    client_for(admin).post(
        reverse("accounts:member_edit", args=[other.pk]),
        {"first_name": "", "last_name": "", "email": "", "role": "agent", "is_active": "on"},
    )
    other.refresh_from_db()
    assert role_of(other) == Role.AGENT
    assert not other.is_superuser and not other.is_staff


def test_admin_cannot_lock_themselves_out(client_for, admin):
    response = client_for(admin).post(
        reverse("accounts:member_edit", args=[admin.pk]),
        {"first_name": "", "last_name": "", "email": "", "role": "agent"},
    )
    assert response.status_code == 200
    assert "cannot deactivate yourself" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active and role_of(admin) == Role.ADMIN


def test_team_list_keeps_a_fixed_number_of_queries(
    client_for, admin, django_assert_max_num_queries
):
    for n in range(30):
        UserFactory(username=f"bulk{n}", role=Role.AGENT)
    client = client_for(admin)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("accounts:team"))
    assert response.status_code == 200
    assert "Page 1 of 2" in response.content.decode()

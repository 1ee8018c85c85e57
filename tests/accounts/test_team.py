from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
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


def test_member_edit_page_explains_the_active_box_without_djangos_stock_help(
    client_for, admin, agent
):
    page = client_for(admin).get(reverse("accounts:member_edit", args=[agent.pk])).content.decode()

    assert "Active (may sign in)" in page
    assert "Designates whether" not in page


def test_team_shows_each_members_last_sign_in(client_for, admin, agent):
    agent.last_login = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)
    agent.save(update_fields=["last_login"])
    UserFactory(username="fresh", role=Role.AGENT)

    page = client_for(admin).get(reverse("accounts:team")).content.decode()

    agnes_row = next(row for row in page.split("<tr>") if "agnes" in row)
    fresh_row = next(row for row in page.split("<tr>") if "fresh" in row)
    assert "Mar 4, 2026, 09:30" in agnes_row
    assert "never" in fresh_row


def test_member_edit_page_shows_last_sign_in_and_links_the_password_reset(client_for, admin, agent):
    page = client_for(admin).get(reverse("accounts:member_edit", args=[agent.pk])).content.decode()

    assert "Last sign-in" in page and "never" in page
    assert reverse("accounts:member_password", args=[agent.pk]) in page


def test_admin_sets_a_new_password_and_the_members_sessions_end(client, admin, agent):
    agent_client = Client()
    agent_client.force_login(agent)
    client.force_login(admin)

    response = client.post(
        reverse("accounts:member_password", args=[agent.pk]),
        {"new_password1": "a-long-pass-123", "new_password2": "a-long-pass-123"},
    )

    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password("a-long-pass-123")
    inbox = agent_client.get(reverse("inbox:list"))
    assert inbox.status_code == 302
    assert inbox["Location"].startswith(reverse("accounts:login"))


def test_new_password_must_be_confirmed(client_for, admin, agent):
    old_hash = agent.password
    response = client_for(admin).post(
        reverse("accounts:member_password", args=[agent.pk]),
        {"new_password1": "a-long-pass-123", "new_password2": "a-long-pass-456"},
    )

    assert response.status_code == 200
    assert "The two password fields didn" in response.content.decode()
    agent.refresh_from_db()
    assert agent.password == old_hash


def test_admin_is_sent_to_the_password_page_for_their_own_password(client_for, admin):
    old_hash = admin.password
    response = client_for(admin).post(
        reverse("accounts:member_password", args=[admin.pk]),
        {"new_password1": "a-long-pass-123", "new_password2": "a-long-pass-123"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change")
    admin.refresh_from_db()
    assert admin.password == old_hash


def test_operator_cannot_set_someone_elses_password(client_for, operator, agent):
    old_hash = agent.password
    response = client_for(operator).post(
        reverse("accounts:member_password", args=[agent.pk]),
        {"new_password1": "a-long-pass-123", "new_password2": "a-long-pass-123"},
    )

    assert response.status_code == 403
    agent.refresh_from_db()
    assert agent.password == old_hash


@pytest.mark.parametrize("name", ["member_add", "member_edit", "member_password"])
def test_team_forms_refuse_other_methods(client_for, admin, agent, name):
    args = [] if name == "member_add" else [agent.pk]
    assert client_for(admin).delete(reverse(f"accounts:{name}", args=args)).status_code == 405


def test_editing_an_unknown_member_is_not_found(client_for, admin):
    assert client_for(admin).get(reverse("accounts:member_edit", args=[9999])).status_code == 404


def test_a_name_taken_meanwhile_by_another_admin_is_an_error_not_a_crash(
    client_for, admin, monkeypatch
):
    def taken_meanwhile(**fields):
        raise ValidationError("A user with that username already exists.")

    monkeypatch.setattr("accounts.services.add_member", taken_meanwhile)
    response = client_for(admin).post(
        reverse("accounts:member_add"),
        {
            "username": "newbie",
            "password1": "a-long-pass-123",
            "password2": "a-long-pass-123",
            "role": "agent",
        },
    )

    assert response.status_code == 200
    assert "A user with that username already exists." in response.content.decode()

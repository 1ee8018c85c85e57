from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_right_password_signs_in_and_lands_on_the_dashboard(client, operator):
    response = client.post(
        reverse("accounts:login"), {"username": "otto", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.wsgi_request.user == operator


def test_wrong_password_shows_an_error_and_does_not_sign_in(client, operator):
    response = client.post(reverse("accounts:login"), {"username": "otto", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_deactivated_member_cannot_sign_in(client, operator):
    operator.is_active = False
    operator.save()
    response = client.post(reverse("accounts:login"), {"username": "otto", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_needs_post_and_signs_out(client_for, operator):
    client = client_for(operator)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change_needs_the_old_password(client_for, operator):
    client = client_for(operator)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "wrong",
            "new_password1": "a-new-long-pass-9",
            "new_password2": "a-new-long-pass-9",
        },
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-pass-9",
            "new_password2": "a-new-long-pass-9",
        },
    )
    assert response.status_code == 302
    operator.refresh_from_db()
    assert operator.check_password("a-new-long-pass-9")

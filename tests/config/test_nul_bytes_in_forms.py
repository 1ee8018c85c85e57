"""A NUL byte in any form field is a form error, never a server error."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, InstanceFactory
from tests.refused_address import REFUSED_URL

pytestmark = pytest.mark.django_db

FORMS = {
    "accounts:login": {"username": "ada", "password": PASSWORD},
    "accounts:password_change": {
        "old_password": PASSWORD,
        "new_password1": "a-new-long-pass-9",
        "new_password2": "a-new-long-pass-9",
    },
    "accounts:member_add": {
        "username": "newbie",
        "first_name": "New",
        "last_name": "Bie",
        "email": "new@example.com",
        "password1": "a-new-long-pass-9",
        "password2": "a-new-long-pass-9",
        "role": "agent",
    },
    "instances:create": {
        "name": "Sales",
        "engine": "waha",
        "base_url": REFUSED_URL,
        "session_name": "default",
        "api_key": "k" * 20,
    },
    "instances:edit": {
        "name": "Sales",
        "engine": "waha",
        "base_url": REFUSED_URL,
        "session_name": "default",
        "api_key": "",
    },
    "instances:pairing_code": {"phone": "+4915123456789"},
}
NEEDS_INSTANCE = {"instances:edit", "instances:pairing_code"}
CASES = [(name, field) for name, data in FORMS.items() for field in data]


@pytest.mark.parametrize(("name", "field"), CASES, ids=[f"{n}-{f}" for n, f in CASES])
def test_a_nul_byte_in_any_field_is_a_form_error(client, admin, name, field):
    if name != "accounts:login":
        client.force_login(admin)
    instance = InstanceFactory()
    url = reverse(name, args=[instance.pk]) if name in NEEDS_INSTANCE else reverse(name)
    data = {**FORMS[name], field: f"ab\x00{FORMS[name][field]}"}
    # The pairing form lives in a panel that htmx swaps; without htmx it redirects with a flash.
    pairing = name == "instances:pairing_code"
    response = client.post(url, data, headers={"HX-Request": "true"} if pairing else {})
    assert response.status_code == 200, (response.status_code, response.content[:300])
    # Text fields say "Null characters are not allowed", choice and phone fields refuse the value.
    assert response.context["pairing_form" if pairing else "form"].errors

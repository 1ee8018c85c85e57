from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db


def test_the_api_key_hint_built_from_the_stored_key_is_escaped(client_for, admin):
    instance = InstanceFactory(api_key="a-key-that-ends-in-<h1>")
    page = client_for(admin).get(reverse("instances:edit", args=[instance.pk])).content.decode()
    assert "Now •••• &lt;h1&gt;." in page
    assert "•••• <h1>" not in page


def test_djangos_own_password_help_stays_a_list(client_for, admin):
    page = client_for(admin).get(reverse("accounts:member_add")).content.decode()
    assert "<li>Your password can" in page

"""The header and the password page, as every signed-in member sees them."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _whoami(html: str) -> str:
    return re.search(r'<div class="whoami">(.*?)</div>', html, re.S).group(1)


def test_admin_sees_their_role_once_and_a_distinct_link_to_the_admin_site(client_for, admin):
    header = _whoami(client_for(admin).get(reverse("home")).content.decode())

    assert re.findall(r">\s*Admin\s*<", header) == [">Admin<"]
    assert f'href="{reverse("admin:index")}"' in header
    assert "Admin site" in header


def test_operator_sees_no_admin_site_link(client_for, operator):
    header = _whoami(client_for(operator).get(reverse("home")).content.decode())

    assert reverse("admin:index") not in header


def test_password_change_page_offers_a_way_back(client_for, agent):
    page = client_for(agent).get(reverse("accounts:password_change")).content.decode()

    assert re.search(rf'<a href="{reverse("home")}">Cancel</a>', page)

"""The Campaigns page's empty state names the next step the team can really take."""

from __future__ import annotations

import pytest
from django.urls import reverse

from instances.models import InstanceStatus
from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db


def _page(client_for, user) -> str:
    response = client_for(user).get(reverse("campaigns:list"))
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def test_with_no_numbers_an_admin_is_asked_to_add_one(client_for, admin):
    page = _page(client_for, admin)

    assert "First link a WhatsApp number" in page
    assert reverse("instances:create") in page


def test_with_no_numbers_an_operator_learns_an_admin_links_them(client_for, operator):
    page = _page(client_for, operator)

    assert "First an admin needs to link a WhatsApp number" in page
    assert reverse("instances:create") not in page


def test_with_linked_numbers_it_does_not_ask_to_link_one(client_for, admin):
    InstanceFactory(status=InstanceStatus.WORKING)
    InstanceFactory(status=InstanceStatus.WORKING)
    InstanceFactory(status=InstanceStatus.STOPPED)

    page = _page(client_for, admin)

    assert "2 linked WhatsApp numbers will be able to send them" in page
    assert "First link" not in page


def test_with_numbers_none_linked_it_points_to_the_instances_page(client_for, operator):
    InstanceFactory(status=InstanceStatus.SCAN_QR_CODE)

    page = _page(client_for, operator)

    assert "None of your 1 WhatsApp number is linked right now" in page
    assert reverse("instances:list") in page

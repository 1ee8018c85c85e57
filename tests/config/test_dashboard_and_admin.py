from __future__ import annotations

import pytest
from django.urls import reverse

from instances.models import InstanceStatus
from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db


def test_dashboard_counts_instances_and_says_what_to_do_when_empty(client_for, admin):
    client = client_for(admin)
    assert "Add an instance to link a WhatsApp number." in client.get("/").content.decode()
    InstanceFactory(status=InstanceStatus.WORKING)
    InstanceFactory(status=InstanceStatus.STOPPED)
    body = client.get("/").content.decode()
    assert '<p class="big">2</p>' in body and "1 working" in body


def test_dashboard_shows_only_the_areas_of_the_role(client_for, agent):
    body = client_for(agent).get("/").content.decode()
    assert "Inbox" in body
    assert "Instances" not in body and "Team" not in body


def test_a_member_without_a_role_is_told_to_ask_an_admin(client_for, outsider):
    assert "no role yet" in client_for(outsider).get("/").content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/instances/instance/",
        "/admin/instances/statuschange/",
        "/admin/instances/outboundmessage/",
        "/admin/inbox/webhookevent/",
        "/admin/django_q/schedule/",
        "/admin/django_q/success/",
        "/admin/auth/user/",
    ],
)
def test_admins_can_search_and_filter_every_model_in_the_django_admin(client_for, admin, url):
    InstanceFactory(name="Findable")
    response = client_for(admin).get(url, {"q": "Findable"})
    assert response.status_code == 200


def test_operators_cannot_open_the_django_admin(client_for, operator):
    response = client_for(operator).get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]

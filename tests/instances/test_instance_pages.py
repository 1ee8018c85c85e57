from __future__ import annotations

import pytest
from django.urls import reverse

from instances.models import InstanceStatus, OutboundMessage
from tests.factories import InstanceFactory
from tests.refused_address import REFUSED_HOST

pytestmark = pytest.mark.django_db


def test_empty_list_says_what_to_do_next(client_for, admin, operator):
    assert "Add the first one" in client_for(admin).get(reverse("instances:list")).content.decode()
    body = client_for(operator).get(reverse("instances:list")).content.decode()
    assert "Ask an admin to add one" in body and "Add instance" not in body


def test_list_shows_status_phone_engine_and_queue_depth_in_fixed_queries(
    client_for, admin, django_assert_max_num_queries
):
    busy = InstanceFactory(name="Busy", status=InstanceStatus.WORKING, phone="+4915123450099")
    for _ in range(3):
        OutboundMessage.objects.create(instance=busy, chat_id="1@c.us", kind="text")
    OutboundMessage.objects.create(instance=busy, chat_id="1@c.us", kind="text", status="sent")
    for _ in range(30):
        InstanceFactory()
    client = client_for(admin)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("instances:list"))
    row = next(line for line in response.content.decode().split("<tr") if "Busy" in line)
    assert "Working" in row and "+4915123450099" in row and "WAHA" in row
    assert '<td data-label="Queue">3</td>' in row
    assert "Page 1 of 2" in response.content.decode()


def test_htmx_polling_gets_only_the_rows(client_for, admin):
    InstanceFactory(name="Polled", status=InstanceStatus.SCAN_QR_CODE)
    response = client_for(admin).get(reverse("instances:list"), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "Waiting for QR scan" in body
    assert "<html" not in body and "<table" not in body


def test_detail_polling_gets_only_the_status_panel(client_for, admin):
    instance = InstanceFactory(status=InstanceStatus.FAILED, attention="restart_failed")
    response = client_for(admin).get(instance.get_absolute_url(), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.strip().startswith('<section class="panel" id="status-panel"')
    assert "Failed again after an automatic restart" in body


def test_actions_the_engine_cannot_do_are_not_offered(client_for, admin):
    wawp = InstanceFactory(engine="wawp")
    body = client_for(admin).get(wawp.get_absolute_url()).content.decode()
    assert "Recreate" not in body and "Open a screenshot" not in body
    assert "Paste this address" in body and wawp.webhook_url in body
    assert (
        client_for(admin).get(reverse("instances:action", args=[wawp.pk, "recreate"])).status_code
        == 404
    )
    assert client_for(admin).get(reverse("instances:screenshot", args=[wawp.pk])).status_code == 404


def test_destructive_actions_ask_first_and_unknown_actions_are_404(client_for, admin):
    instance = InstanceFactory()
    client = client_for(admin)
    confirm = client.get(reverse("instances:action", args=[instance.pk, "logout"]))
    assert "Yes, logout" in confirm.content.decode()
    assert (
        client.post(reverse("instances:action", args=[instance.pk, "explode"])).status_code == 404
    )


def test_an_unreachable_engine_is_a_plain_message_not_a_500(client_for, admin):
    instance = InstanceFactory()
    response = client_for(admin).post(
        reverse("instances:action", args=[instance.pk, "restart"]), follow=True
    )
    assert response.status_code == 200
    assert "Could not restart" in response.content.decode()
    assert f"Cannot reach the gateway at {REFUSED_HOST}" in response.content.decode()


def test_deleting_needs_the_engine_or_an_explicit_choice(client_for, admin):
    instance = InstanceFactory()
    client = client_for(admin)
    response = client.post(reverse("instances:delete", args=[instance.pk]), follow=True)
    assert "could not delete the session" in response.content.decode()
    assert type(instance).objects.filter(pk=instance.pk).exists()
    client.post(reverse("instances:delete", args=[instance.pk]), {"keep_engine_session": "on"})
    assert not type(instance).objects.filter(pk=instance.pk).exists()


def test_wrong_methods_are_refused(client_for, admin):
    instance = InstanceFactory()
    client = client_for(admin)
    assert client.post(reverse("instances:list")).status_code == 405
    assert client.get(reverse("instances:refresh", args=[instance.pk])).status_code == 405
    assert client.get(reverse("instances:pairing_code", args=[instance.pk])).status_code == 405
    assert client.get(reverse("instances:test_connection")).status_code == 405

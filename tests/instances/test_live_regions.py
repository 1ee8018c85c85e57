"""Polled regions answer 204 while nothing changed, and stop polling when nothing is left."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from instances import services
from instances.models import Instance, InstanceStatus, OutboundMessage
from tests.factories import InstanceFactory
from tests.simulator_fixture import SIMULATOR_TEST_API_KEY

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def polling_url(body: str, element_id: str) -> str:
    tag = re.search(rf'<[^>]*id="{element_id}"[^>]*>', body).group(0)
    return re.search(r'hx-get="([^"]+)"', tag).group(1).replace("&amp;", "&")


def test_an_unchanged_instance_list_poll_answers_204_without_rendering_in_fixed_queries(
    client_for, admin, django_assert_max_num_queries
):
    for _ in range(30):
        InstanceFactory()
    client = client_for(admin)
    url = polling_url(client.get(reverse("instances:list")).content.decode(), "instance-rows")
    with django_assert_max_num_queries(5):
        response = client.get(url, headers=HTMX)
    assert response.status_code == 204
    assert response.content == b"" and not response.templates
    assert "HX-Request" in response["Vary"]


def test_a_changed_instance_list_poll_sends_the_new_rows_and_a_new_cursor(client_for, admin):
    instance = InstanceFactory(name="Sales", status=InstanceStatus.STOPPED)
    client = client_for(admin)
    url = polling_url(client.get(reverse("instances:list")).content.decode(), "instance-rows")

    Instance.objects.filter(pk=instance.pk).update(status=InstanceStatus.WORKING)
    response = client.get(url, headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and 'data-status="WORKING"' in body
    assert polling_url(body, "instance-rows") != url
    assert client.get(polling_url(body, "instance-rows"), headers=HTMX).status_code == 204


def test_the_queue_depth_is_part_of_the_list_cursor(client_for, admin):
    instance = InstanceFactory()
    client = client_for(admin)
    url = polling_url(client.get(reverse("instances:list")).content.decode(), "instance-rows")
    OutboundMessage.objects.create(instance=instance, chat_id="1@c.us", kind="text")
    assert client.get(url, headers=HTMX).status_code == 200


def test_an_unchanged_status_panel_poll_answers_204_in_fixed_queries(
    client_for, admin, django_assert_max_num_queries
):
    instance = InstanceFactory(status=InstanceStatus.WORKING)
    client = client_for(admin)
    url = polling_url(client.get(instance.get_absolute_url()).content.decode(), "status-panel")
    with django_assert_max_num_queries(4):
        response = client.get(url, headers=HTMX)
    assert response.status_code == 204 and not response.templates
    assert "HX-Request" in response["Vary"]


def test_a_status_change_re_renders_the_panel_and_wakes_the_qr_panel(client_for, admin):
    instance = InstanceFactory(status=InstanceStatus.STARTING)
    client = client_for(admin)
    url = polling_url(client.get(instance.get_absolute_url()).content.decode(), "status-panel")

    services.record_status(instance.pk, InstanceStatus.SCAN_QR_CODE, source="webhook")
    response = client.get(url, headers=HTMX)
    assert response.status_code == 200
    assert 'data-status="SCAN_QR_CODE"' in response.content.decode()
    assert "instance-status-changed" in response["HX-Trigger"]


def test_a_full_page_load_is_never_answered_with_204(client_for, admin):
    instance = InstanceFactory()
    client = client_for(admin)
    url = polling_url(client.get(instance.get_absolute_url()).content.decode(), "status-panel")
    response = client.get(url)
    assert response.status_code == 200 and "<html" in response.content.decode()


def test_the_qr_panel_stops_polling_once_the_number_is_linked(client_for, admin):
    instance = InstanceFactory(status=InstanceStatus.WORKING, phone="+15550100077")
    response = client_for(admin).get(reverse("instances:qr", args=[instance.pk]), headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 286
    assert "Linked to +15550100077" in body
    assert "every 4s" not in body
    # The pairing form goes too, out of band.
    assert '<div id="pairing-panel" hx-swap-oob="true"></div>' in body


def test_the_qr_panel_answers_204_while_the_same_code_waits_for_a_scan(
    client_for, admin, simulator
):
    instance = InstanceFactory(base_url=simulator.url, api_key=SIMULATOR_TEST_API_KEY)
    services.perform_action(instance, services.Action.START)
    services.poll_status(instance)
    instance.refresh_from_db()
    assert instance.status == InstanceStatus.SCAN_QR_CODE
    client = client_for(admin)

    first = client.get(reverse("instances:qr", args=[instance.pk]), headers=HTMX)
    body = first.content.decode()
    assert first.status_code == 200 and "data:image/svg+xml" in body and "every 4s" in body
    assert client.get(polling_url(body, "qr-panel"), headers=HTMX).status_code == 204


def test_the_qr_panel_asks_for_the_status_when_the_session_moved_on(client_for, admin, simulator):
    instance = InstanceFactory(base_url=simulator.url, api_key=SIMULATOR_TEST_API_KEY)
    services.perform_action(instance, services.Action.START)
    services.poll_status(instance)
    simulator.state.scan(instance.session_name, phone="+15550100077")

    response = client_for(admin).get(reverse("instances:qr", args=[instance.pk]), headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 286
    assert "Linked to +15550100077" in body and "expected" not in body
    assert instance.status_changes.filter(to_status="WORKING", source="poll").exists()


def test_only_the_status_panel_is_polled_by_viewers_without_manage_rights(client_for, operator):
    instance = InstanceFactory()
    body = client_for(operator).get(instance.get_absolute_url()).content.decode()
    assert 'id="status-panel"' in body and 'id="qr-panel"' not in body

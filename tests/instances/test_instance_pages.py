from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from instances import services
from instances.models import Attention, Instance, InstanceStatus, OutboundMessage
from tests.factories import InstanceFactory
from tests.refused_address import REFUSED_HOST
from tests.simulator_fixture import SIMULATOR_TEST_API_KEY

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


def test_buttons_follow_the_state_and_say_why_they_are_disabled(client_for, admin):
    client = client_for(admin)
    working = InstanceFactory(status=InstanceStatus.WORKING, phone="+15550100077")
    body = client.get(working.get_absolute_url()).content.decode()
    assert re.search(r"<button type=\"button\" disabled[^>]*>Start</button>", body)
    assert "The session is already running." in body
    assert 'class="primary">Start' not in body
    assert reverse("instances:action", args=[working.pk, "logout"]) in body
    assert "Get a pairing code" not in body

    stopped = InstanceFactory(status=InstanceStatus.STOPPED)
    body = client.get(stopped.get_absolute_url()).content.decode()
    assert '<button type="submit" class="primary">Start</button>' in body
    assert re.search(r"<button type=\"button\" disabled[^>]*>Logout</button>", body)
    assert "No number is linked." in body
    assert reverse("instances:action", args=[stopped.pk, "logout"]) not in body


def test_a_poll_a_moment_ago_reads_just_now(client_for, admin):
    instance = InstanceFactory(last_polled_at=timezone.now())
    body = client_for(admin).get(instance.get_absolute_url()).content.decode()
    assert "<dt>Last poll</dt><dd>just now</dd>" in body
    assert "0 minutes" not in body
    Instance.objects.filter(pk=instance.pk).update(
        last_polled_at=timezone.now() - timedelta(minutes=3)
    )
    body = client_for(admin).get(instance.get_absolute_url()).content.decode()
    assert "<dt>Last poll</dt><dd>3\xa0minutes ago</dd>" in body


def test_attention_says_what_is_wrong_and_what_to_do(client_for, admin):
    instance = InstanceFactory(attention=Attention.KEY_REFUSED, status=InstanceStatus.WORKING)
    body = client_for(admin).get(instance.get_absolute_url()).content.decode()
    assert "Needs attention: The engine refused the API key." in body
    assert "Edit the instance and enter the engine&#x27;s current API key." in body
    assert "unreachable" not in body.lower()


def test_a_loopback_webhook_address_is_flagged_for_a_remote_engine(client_for, admin, settings):
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    remote = InstanceFactory(base_url="http://waha.example.com:3000")
    local = InstanceFactory(base_url="http://localhost:3000")
    client = client_for(admin)
    assert 'id="webhook-warning"' in client.get(remote.get_absolute_url()).content.decode()
    assert "PUBLIC_BASE_URL" in client.get(remote.get_absolute_url()).content.decode()
    assert 'id="webhook-warning"' not in client.get(local.get_absolute_url()).content.decode()


def test_status_changes_seen_only_by_polls_warn_that_webhooks_do_not_arrive(client_for, admin):
    instance = InstanceFactory(base_url="http://localhost:3000")
    client = client_for(admin)
    services.record_status(instance.pk, InstanceStatus.SCAN_QR_CODE, source="poll")
    body = client.get(instance.get_absolute_url()).content.decode()
    assert "noticed by the status poll, not by a webhook" in body

    services.note_engine_event(instance)
    services.record_status(instance.pk, InstanceStatus.WORKING, source="webhook")
    body = client.get(instance.get_absolute_url()).content.decode()
    assert 'id="webhook-warning"' not in body


def test_the_screenshot_is_shown_in_the_page_and_its_error_is_a_message(client_for, admin):
    instance = InstanceFactory()
    client = client_for(admin)
    url = reverse("instances:screenshot", args=[instance.pk])
    assert f'hx-get="{url}"' in client.get(instance.get_absolute_url()).content.decode()

    partial = client.get(url, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "Could not take a screenshot: Cannot reach the gateway" in partial.content.decode()
    assert "<html" not in partial.content.decode()

    page = client.get(url, follow=True)
    assert page.status_code == 200 and page.redirect_chain[-1][0] == instance.get_absolute_url()
    assert "Could not take a screenshot" in page.content.decode()


def test_the_screenshot_without_javascript_is_a_page_with_the_image(client_for, admin, simulator):
    instance = InstanceFactory(base_url=simulator.url, api_key=SIMULATOR_TEST_API_KEY)
    services.perform_action(instance, services.Action.START)
    response = client_for(admin).get(reverse("instances:screenshot", args=[instance.pk]))
    body = response.content.decode()
    assert response.status_code == 200 and "<html" in body
    assert 'src="data:image/png;base64,' in body and "Refresh the screenshot" in body


def test_a_long_unbroken_name_may_wrap_in_the_list(client_for, admin):
    InstanceFactory(name="x" * 80)
    body = client_for(admin).get(reverse("instances:list")).content.decode()
    assert 'class="long-name"' in body
    assert 'data-label="Status"' in body

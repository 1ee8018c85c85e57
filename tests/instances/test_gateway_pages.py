"""What the instance pages show for the chat-api and WhautoChat gateways, the engine queue
pages' refusals, and a send-only gateway's silence."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from instances import services
from instances.models import Attention, InstanceStatus, StatusChange
from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def test_a_send_only_gateway_shows_no_lifecycle_link_or_webhook_address(admin_client):
    instance = InstanceFactory(engine="whautochat", status=InstanceStatus.WORKING)

    page = admin_client.get(instance.get_absolute_url()).content.decode()

    assert "Cloud gateway, always ready" in page
    assert "Refresh status" not in page
    assert "Link a number" not in page
    assert instance.webhook_url not in page
    assert "workspace id" in page


def test_chatapi_shows_its_queue_its_qr_and_that_sends_carry_no_id(admin_client):
    instance = InstanceFactory(engine="chatapi")

    page = admin_client.get(instance.get_absolute_url()).content.decode()

    assert reverse("instances:engine_queue", args=[instance.pk]) in page
    assert reverse("instances:qr", args=[instance.pk]) in page
    assert 'id="no-message-ids"' in page
    assert reverse("instances:action", args=[instance.pk, "start"]) in page


@pytest.mark.parametrize("name", ["instances:engine_queue", "instances:clear_engine_queue"])
def test_gateways_without_a_queue_of_their_own_have_no_queue_pages(admin_client, name):
    instance = InstanceFactory(engine="waha")

    assert admin_client.get(reverse(name, args=[instance.pk])).status_code == 404


def test_an_unreachable_engine_queue_is_a_message_not_an_error_page(admin_client):
    instance = InstanceFactory(engine="chatapi")

    response = admin_client.get(reverse("instances:engine_queue", args=[instance.pk]))

    assert response.status_code == 200
    assert "Could not read the engine&#x27;s queue: Cannot reach the gateway" in (
        response.content.decode()
    )


def test_clearing_an_unreachable_engine_queue_says_so(admin_client):
    instance = InstanceFactory(engine="chatapi")

    response = admin_client.post(
        reverse("instances:clear_engine_queue", args=[instance.pk]), follow=True
    )

    assert "Could not clear the engine&#x27;s queue" in response.content.decode()


def test_operators_may_not_clear_an_engine_queue(client, operator):
    instance = InstanceFactory(engine="chatapi")
    client.force_login(operator)

    response = client.post(reverse("instances:clear_engine_queue", args=[instance.pk]))

    assert response.status_code == 403


def test_a_send_only_gateway_is_never_flagged_silent(settings):
    settings.INSTANCE_SILENCE_MINUTES = 30
    long_ago = timezone.now() - timedelta(days=2)
    cloud = InstanceFactory(
        engine="whautochat", status=InstanceStatus.WORKING, status_changed_at=long_ago
    )

    assert services.flag_silent_instances() == 0
    cloud.refresh_from_db()
    assert cloud.attention == Attention.NONE


def test_chatapi_status_changes_by_poll_do_not_read_as_lost_webhooks(admin_client):
    instance = InstanceFactory(engine="chatapi")
    services.record_status(instance.pk, InstanceStatus.WORKING, source=StatusChange.Source.POLL)

    page = admin_client.get(instance.get_absolute_url()).content.decode()

    assert 'id="webhook-warning"' not in page


def test_a_send_only_gateway_gets_no_webhook_warning(admin_client, settings):
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    instance = InstanceFactory(
        engine="whautochat", base_url="https://api.whautochat.test", status=InstanceStatus.WORKING
    )

    page = admin_client.get(instance.get_absolute_url()).content.decode()

    assert 'id="webhook-warning"' not in page

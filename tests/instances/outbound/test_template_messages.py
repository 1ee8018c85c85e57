"""Template messages: only gateways that keep templates (WhautoChat) take them, and the compose
form offers them only where some instance can send one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from instances.models import OutboundMessage
from instances.outbound import OutboundValidationError, enqueue
from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db

TO = "+4915123456789"


def test_a_template_is_queued_for_a_gateway_that_keeps_templates():
    instance = InstanceFactory(engine="whautochat")

    message = enqueue(instance, TO, "template", {"template": " order_shipped "})

    assert message.kind == "template"
    assert message.payload == {"template": "order_shipped"}


@pytest.mark.parametrize("engine", ["waha", "wawp", "messagepro", "chatapi"])
def test_a_template_for_any_other_gateway_is_refused_as_the_kind_field(engine):
    with pytest.raises(OutboundValidationError) as caught:
        enqueue(InstanceFactory(engine=engine), TO, "template", {"template": "order_shipped"})

    assert "cannot send template messages" in caught.value.errors["kind"][0]
    assert not OutboundMessage.objects.exists()


@pytest.mark.parametrize("template", ["", "   ", None, 7, "x" * 201])
def test_a_missing_or_overlong_template_id_is_refused(template):
    with pytest.raises(OutboundValidationError) as caught:
        enqueue(InstanceFactory(engine="whautochat"), TO, "template", {"template": template})

    assert "template" in caught.value.errors


def test_compose_hides_templates_while_no_instance_can_send_them(client, operator):
    InstanceFactory(engine="waha")
    client.force_login(operator)

    page = client.get(reverse("messages:compose")).content.decode()

    assert 'value="template"' not in page
    assert 'value="poll"' in page


def test_compose_offers_templates_only_from_instances_that_can_send_them(client, operator):
    cloud = InstanceFactory(engine="whautochat", name="Cloud")
    InstanceFactory(engine="waha", name="Phone")
    client.force_login(operator)

    page = client.get(reverse("messages:compose"), {"kind": "template"}).content.decode()

    assert 'value="template"' in page
    assert "Cloud" in page and "Phone" not in page
    assert str(cloud.pk) in page


def test_compose_refuses_a_template_from_an_instance_without_templates(client, operator):
    InstanceFactory(engine="whautochat")
    phone = InstanceFactory(engine="waha")
    client.force_login(operator)

    response = client.post(
        reverse("messages:compose"),
        {"instance": phone.pk, "to": TO, "kind": "template", "priority": 0, "template": "t"},
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not OutboundMessage.objects.exists()

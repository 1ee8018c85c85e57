"""A key does what its role may, as the dashboard decides, and only on its instances."""

from __future__ import annotations

import pytest

from instances.models import OutboundMessage
from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db


def text_to(instance) -> dict:
    return {"profileId": str(instance.uuid), "chatId": "+4915123456789", "content": {"text": "Hi"}}


def test_a_read_only_key_cannot_send(call, make_key, sales):
    response = call("post", "messages/text", token=make_key("read_only"), json=text_to(sales))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN"
    assert not OutboundMessage.objects.exists()


def test_a_read_only_key_reads_profiles(call, make_key, sales):
    assert call("get", "profiles", token=make_key("read_only")).status_code == 200


def test_an_operator_key_cannot_connect_a_number(call, make_key, sales):
    response = call("post", f"profiles/{sales.uuid}/connect", token=make_key("operator"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN"


def test_a_restricted_key_cannot_send_from_another_instance(call, make_key, sales):
    support = InstanceFactory(name="Support")
    token = make_key(instances=[support])
    refused = call("post", "messages/text", token=token, json=text_to(sales))
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "NOT_FOUND"
    assert call("post", "messages/text", token=token, json=text_to(support)).status_code == 201


def test_a_restricted_key_sees_only_its_instances(call, make_key, sales):
    support = InstanceFactory(name="Support")
    token = make_key(instances=[support])
    names = [profile["name"] for profile in call("get", "profiles", token=token).json()["data"]]
    assert names == ["Support"]
    assert call("get", f"profiles/{sales.uuid}", token=token).status_code == 404


def test_a_restricted_key_cannot_read_another_instances_message(call, make_key, sales):
    support = InstanceFactory(name="Support")
    sent = call("post", "messages/text", token=make_key(), json=text_to(sales)).json()["data"]
    token = make_key(instances=[support])
    assert call("get", f"messages/{sent['id']}", token=token).status_code == 404


def test_a_key_whose_instances_are_all_deleted_reaches_none(call, make_key, sales):
    support = InstanceFactory(name="Support")
    token = make_key(instances=[support])
    support.delete()
    assert call("get", "profiles", token=token).json()["data"] == []
    refused = call("post", "messages/text", token=token, json=text_to(sales))
    assert refused.status_code == 404
    assert not OutboundMessage.objects.exists()

"""A key connects a profile (instance) on the simulator, reads its QR, and disconnects it."""

from __future__ import annotations

import pytest

from instances.models import Instance, InstanceStatus
from tests.factories import InstanceFactory
from tests.simulator_fixture import SIMULATOR_TEST_API_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone_one(simulator):
    return Instance.objects.create(
        name="Phone one",
        engine="waha",
        base_url=simulator.url,
        session_name="default",
        api_key=SIMULATOR_TEST_API_KEY,
    )


def test_a_profile_is_connected_shows_a_qr_and_is_disconnected(call, make_key, phone_one):
    token = make_key("admin")
    connected = call("post", f"profiles/{phone_one.uuid}/connect", token=token)
    assert connected.status_code == 200, connected.content
    assert connected.json()["data"]["status"] in {"STARTING", "SCAN_QR_CODE"}

    qr = call("get", f"profiles/{phone_one.uuid}/qr", token=token)
    assert qr.status_code == 200, qr.content
    assert qr.json()["data"]["image"].startswith("data:image/png;base64,")

    stopped = call("post", f"profiles/{phone_one.uuid}/disconnect", token=token)
    assert stopped.status_code == 200, stopped.content
    phone_one.refresh_from_db()
    assert phone_one.status == InstanceStatus.STOPPED


def test_one_profile_is_read_with_its_status(call, make_key, phone_one):
    response = call("get", f"profiles/{phone_one.uuid}", token=make_key("read_only"))
    data = response.json()["data"]
    assert data == data | {"id": str(phone_one.uuid), "name": "Phone one", "status": "STOPPED"}


def test_profiles_are_listed_a_page_at_a_time(call, make_key, django_assert_max_num_queries):
    for number in range(5):
        InstanceFactory(name=f"Line {number}")
    token = make_key()
    call("get", "profiles", token=token)  # the key's first use is recorded once
    # Key, its instances, the rate counter in the database cache, then count and page.
    with django_assert_max_num_queries(16):
        response = call("get", "profiles?page=2&limit=2", token=token)
    body = response.json()
    assert [profile["name"] for profile in body["data"]] == ["Line 2", "Line 3"]
    assert body["meta"] | {"timestamp": None} == {
        "timestamp": None,
        "page": 2,
        "limit": 2,
        "total": 5,
        "totalPages": 3,
    }


def test_a_profile_is_created_as_on_the_add_instance_page(call, make_key, simulator):
    body = {
        "name": "Phone two",
        "engine": "waha",
        "baseUrl": simulator.url,
        "sessionName": "default",
        "apiKey": SIMULATOR_TEST_API_KEY,
    }
    response = call("post", "profiles", token=make_key("admin"), json=body)
    assert response.status_code == 201, response.content
    instance = Instance.objects.get(name="Phone two")
    assert response.json()["data"]["id"] == str(instance.uuid)
    assert instance.api_key == SIMULATOR_TEST_API_KEY


def test_a_profile_with_a_bad_address_is_refused_by_field(call, make_key):
    body = {"name": "X", "engine": "waha", "baseUrl": "ftp://x", "sessionName": "default"}
    response = call("post", "profiles", token=make_key("admin"), json=body)
    assert response.status_code == 422
    assert "baseUrl" in response.json()["error"]["details"]
    assert not Instance.objects.exists()


def test_only_an_unrestricted_admin_key_creates_profiles(call, make_key, phone_one):
    body = {"name": "X", "engine": "waha", "baseUrl": "http://x.test", "sessionName": "s"}
    for token in (make_key("operator"), make_key("admin", instances=[phone_one])):
        response = call("post", "profiles", token=token, json=body)
        assert response.status_code == 403
    assert list(Instance.objects.all()) == [phone_one]


def test_a_profile_is_deleted_with_its_session(call, make_key, phone_one):
    token = make_key("admin")
    call("post", f"profiles/{phone_one.uuid}/connect", token=token)
    response = call("delete", f"profiles/{phone_one.uuid}", token=token)
    assert response.status_code == 200, response.content
    assert response.json()["data"]["deleted"] is True
    assert not Instance.objects.exists()


def test_a_profile_with_messages_is_kept(call, make_key, phone_one):
    token = make_key("admin")
    body = {"profileId": str(phone_one.uuid), "chatId": "+4915123456789", "content": {"text": "Hi"}}
    call("post", "messages/text", token=token, json=body)
    response = call("delete", f"profiles/{phone_one.uuid}", token=token)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "CONFLICT"
    assert Instance.objects.exists()

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
        response = call("get", "profiles?page=2&pageSize=2", token=token)
    body = response.json()
    assert [profile["name"] for profile in body["data"]] == ["Line 2", "Line 3"]
    assert body["meta"] | {"timestamp": None} == {
        "timestamp": None,
        "page": 2,
        "pageSize": 2,
        "total": 5,
        "totalPages": 3,
    }

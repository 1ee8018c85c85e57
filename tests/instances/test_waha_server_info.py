"""What the WAHA server says about itself is kept on the instance, shown on its page, and
decides what the page offers and what the form accepts."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from instances.engines.base import Capability
from instances.engines.waha_versions import CORE_SESSION_EXPLANATION
from instances.models import Instance
from tests.factories import InstanceFactory
from tests.refused_address import REFUSED_URL
from tests.simulator_fixture import SIMULATOR_TEST_API_KEY, both_profiles

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client_for, admin):
    return client_for(admin)


def instance_on(simulator, **fields) -> Instance:
    return InstanceFactory(
        base_url=simulator.url, session_name="default", api_key=SIMULATOR_TEST_API_KEY, **fields
    )


@both_profiles
def test_starting_stores_the_server_version_and_the_page_shows_it(
    admin_client, simulator, settings
):
    settings.PUBLIC_BASE_URL = REFUSED_URL
    instance = instance_on(simulator)

    admin_client.post(reverse("instances:action", args=[instance.pk, "start"]))

    instance.refresh_from_db()
    profile = simulator.profile
    assert (instance.engine_version, instance.engine_flavor, instance.engine_tier) == (
        profile.version,
        profile.engine,
        profile.tier,
    )
    assert instance.engine_checked_at is not None
    page = admin_client.get(instance.get_absolute_url()).content.decode()
    assert f"{profile.version} · {profile.engine} · {profile.tier} tier" in page
    assert ("does not sign its webhooks" in page) is (not profile.signs_webhooks)
    assert instance.supports(Capability.LOOKUP_MESSAGE) is profile.message_lookup


def test_testing_the_connection_of_a_saved_instance_stores_the_server(
    admin_client, simulator, settings
):
    instance = instance_on(simulator)

    response = admin_client.post(
        reverse("instances:test_connection_saved", args=[instance.pk]),
        {
            "name": instance.name,
            "engine": "waha",
            "base_url": simulator.url,
            "session_name": "default",
            "api_key": "",
        },
    )

    assert "Connected and authenticated" in response.content.decode()
    instance.refresh_from_db()
    assert instance.engine_version == simulator.profile.version


def test_testing_an_address_that_is_not_waha_says_so(admin_client, live_server):
    response = admin_client.post(
        reverse("instances:test_connection"),
        {
            "name": "Wrong address",
            "engine": "waha",
            "base_url": live_server.url,
            "session_name": "default",
            "api_key": "some-key",
        },
    )

    assert "but it is not WAHA" in response.content.decode()


def test_a_session_other_than_default_is_refused_on_a_known_core_2024_server(admin_client):
    InstanceFactory(
        base_url="http://waha.internal:3000",
        session_name="default",
        engine_version="2024.10.8",
        engine_flavor="NOWEB",
        engine_tier="CORE",
    )

    response = admin_client.post(
        reverse("instances:create"),
        {
            "name": "Second line",
            "engine": "waha",
            "base_url": "http://waha.internal:3000",
            "session_name": "sales",
            "api_key": "k",
        },
    )

    assert response.status_code == 200
    assert escape(CORE_SESSION_EXPLANATION) in response.content.decode()
    assert not Instance.objects.filter(name="Second line").exists()


def test_any_session_name_is_accepted_where_the_server_is_current_or_unknown(admin_client):
    InstanceFactory(base_url="http://waha.internal:3000", engine_version="2026.9.1")

    response = admin_client.post(
        reverse("instances:create"),
        {
            "name": "Second line",
            "engine": "waha",
            "base_url": "http://waha.internal:3000",
            "session_name": "sales",
            "api_key": "k",
        },
    )

    assert response.status_code == 302

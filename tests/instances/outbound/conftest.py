from __future__ import annotations

import httpx
import pytest

from instances.models import InstanceStatus, QueueSettings
from tests.factories import InstanceFactory
from tests.simulator_fixture import SIMULATOR_TEST_API_KEY


@pytest.fixture
def sim_api(simulator):
    with httpx.Client(
        base_url=simulator.url, headers={"X-Api-Key": simulator.api_key}, timeout=5
    ) as client:
        yield client


@pytest.fixture
def linked(simulator, sim_api, db):
    """An instance whose `default` session on the simulator is WORKING, paced at zero delay."""
    assert sim_api.post("/api/sessions", json={"name": "default"}).status_code == 201
    sim_api.get("/api/sessions/default")
    sim_api.post("/simulator/sessions/default/scan", json={"phone": "+15550001234"})
    assert sim_api.get("/api/sessions/default").json()["status"] == "WORKING"
    instance = InstanceFactory(
        base_url=simulator.url,
        session_name="default",
        api_key=SIMULATOR_TEST_API_KEY,
        status=InstanceStatus.WORKING,
    )
    QueueSettings.objects.create(instance=instance, min_delay_seconds=0, max_delay_seconds=0)
    return instance


@pytest.fixture
def set_faults(sim_api):
    def apply(**faults):
        sim_api.post("/simulator/faults", json=faults).raise_for_status()

    return apply


@pytest.fixture
def accepted(sim_api):
    """What the simulator really accepted for the `default` session."""

    def read():
        return [
            record
            for record in sim_api.get("/simulator/sessions/default/messages").json()
            if record["direction"] == "outgoing"
        ]

    return read


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded message files go to a folder of the test's own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"

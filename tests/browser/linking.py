"""A number on the simulator, started and WORKING, for the browser flows that send."""

from __future__ import annotations

import time

import httpx

from instances.models import Instance, InstanceStatus, QueueSettings
from instances.services import Action, perform_action
from tests.factories import InstanceFactory
from tests.simulator_fixture import SIMULATOR_TEST_API_KEY


def linked_instance(simulator, session: str = "shop") -> Instance:
    """A WAHA instance named after its `session`, pacing off, linked by a simulated scan."""
    instance = InstanceFactory(
        name=session.title(),
        base_url=simulator.url,
        session_name=session,
        api_key=SIMULATOR_TEST_API_KEY,
    )
    QueueSettings.objects.create(instance=instance, min_delay_seconds=0, max_delay_seconds=0)
    perform_action(instance, Action.START)
    api = {"X-Api-Key": simulator.api_key}
    httpx.get(f"{simulator.url}/api/sessions/{session}", headers=api)
    httpx.post(f"{simulator.url}/simulator/sessions/{session}/scan", headers=api, json={})
    deadline = time.monotonic() + 10
    while Instance.objects.get(pk=instance.pk).status != InstanceStatus.WORKING:
        assert time.monotonic() < deadline, "the session never reported WORKING"
        time.sleep(0.05)
    return instance

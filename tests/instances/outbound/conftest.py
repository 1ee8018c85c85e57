from __future__ import annotations

import pytest


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

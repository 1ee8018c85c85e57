from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

LinkSession = Callable[..., dict[str, Any]]


@pytest.fixture
def api(simulator) -> Iterator[httpx.Client]:
    """An HTTP client for the simulator that sends the API key."""
    headers = {"X-Api-Key": simulator.api_key}
    with httpx.Client(base_url=simulator.url, headers=headers, timeout=5) as client:
        yield client


@pytest.fixture
def link_session(api) -> LinkSession:
    """Create a session, let it reach SCAN_QR_CODE, scan it: it is WORKING afterwards."""

    def link(
        name: str = "default",
        *,
        webhook_url: str = "",
        events: tuple[str, ...] = ("*",),
        hmac_key: str = "",
        phone: str = "+15550001234",
    ) -> dict[str, Any]:
        config: dict[str, Any] = {}
        if webhook_url:
            webhook: dict[str, Any] = {"url": webhook_url, "events": list(events)}
            if hmac_key:
                webhook["hmac"] = {"key": hmac_key}
            config["webhooks"] = [webhook]
        assert api.post("/api/sessions", json={"name": name, "config": config}).status_code == 201
        assert api.get(f"/api/sessions/{name}").json()["status"] == "SCAN_QR_CODE"
        response = api.post(f"/simulator/sessions/{name}/scan", json={"phone": phone})
        assert response.json()["status"] == "WORKING"
        return response.json()

    return link

"""Downloading media and looking up LIDs: the key goes only to the engine's own address."""

from __future__ import annotations

import pytest

from instances.engines.base import NotSupportedError, PermanentError
from tests.instances.engines.waha.conftest import API_KEY, BASE


def test_media_is_fetched_from_the_engine_with_the_key(api, engine):
    route = api.get("/api/files/default/3EB0.jpeg").respond(200, content=b"jpeg-bytes")
    assert engine.download_media(f"{BASE}/api/files/default/3EB0.jpeg", 100) == b"jpeg-bytes"
    assert route.calls.last.request.headers["X-Api-Key"] == API_KEY


def test_a_media_address_on_another_host_is_fetched_from_the_engine_not_from_that_host(api, engine):
    # WAHA may announce itself under WHATSAPP_API_HOSTNAME; a forged host gets nothing.
    route = api.get("/api/files/default/3EB0.jpeg").respond(200, content=b"ok")
    assert engine.download_media("http://attacker.example/api/files/default/3EB0.jpeg", 10)
    assert route.calls.last.request.url.host == "waha.test"


@pytest.mark.parametrize("address", ["api/files/x", "http://waha.test:3000/api/../../etc"])
def test_an_unusable_media_address_is_refused(engine, address):
    with pytest.raises(PermanentError):
        engine.download_media(address, 100)


def test_a_file_past_the_limit_is_refused(api, engine):
    api.get("/api/files/default/big.bin").respond(200, content=b"x" * 101)
    with pytest.raises(PermanentError, match="limit"):
        engine.download_media(f"{BASE}/api/files/default/big.bin", 100)


def test_a_lid_is_looked_up(api, engine):
    api.get("/api/default/lids/123@lid").respond(200, json={"lid": "123@lid", "pn": "49176@c.us"})
    assert engine.lookup_lid("123@lid") == "49176@c.us"


def test_an_unknown_lid_is_empty(api, engine):
    api.get("/api/default/lids/123@lid").respond(200, json={"lid": "123@lid", "pn": None})
    assert engine.lookup_lid("123@lid") == ""


def test_old_waha_without_the_lid_route_cannot_look_up(api, engine):
    api.get("/api/default/lids/123@lid").respond(
        404, json={"statusCode": 404, "message": "Cannot GET /api/default/lids/123@lid"}
    )
    with pytest.raises(NotSupportedError):
        engine.lookup_lid("123@lid")

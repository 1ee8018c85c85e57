"""Incoming media from Wawp: the seed's webhook names the file by a WAHA files address on Wawp's
API host; it is fetched from the configured address with the credentials, never elsewhere."""

from __future__ import annotations

import pytest

from instances.engines.base import AuthenticationError, Capability, PermanentError
from instances.engines.wawp import WawpEngine
from tests.instances.engines.wawp.gateway import AUTH, FIXTURES, query_of


def seed_media_url() -> str:
    (event,) = WawpEngine.parse_webhook({}, (FIXTURES / "message.json").read_bytes())
    return event.data.media.url


def test_media_from_the_seeds_webhook_is_fetched_with_the_credentials(api, engine):
    route = api.get("/api/files/example.oga").respond(200, content=b"OggS-voice")

    assert engine.download_media(seed_media_url(), 1_000) == b"OggS-voice"
    assert Capability.DOWNLOAD_MEDIA in WawpEngine.capabilities
    assert query_of(route) == AUTH


def test_the_credentials_go_only_to_the_configured_address(api, engine):
    route = api.get("/api/files/example.oga").respond(200, content=b"ok")

    engine.download_media("https://attacker.example/api/files/example.oga", 100)

    assert route.calls.last.request.url.host == "api.wawp.test"


def test_a_file_past_the_limit_is_refused(api, engine):
    api.get("/api/files/example.oga").respond(200, content=b"x" * 101)
    with pytest.raises(PermanentError, match="limit"):
        engine.download_media(seed_media_url(), 100)


def test_a_refused_token_is_an_authentication_error(api, engine):
    api.get("/api/files/example.oga").respond(
        401, json={"success": False, "code": "invalid_access_token", "message": "Invalid token"}
    )
    with pytest.raises(AuthenticationError):
        engine.download_media(seed_media_url(), 100)

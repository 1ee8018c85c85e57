"""Wawp session life: paths, instance and token on every call."""

from __future__ import annotations

import pytest

from instances.engines.base import (
    Capability,
    Me,
    NotSupportedError,
    SessionStatus,
)
from instances.engines.wawp import WawpEngine
from tests.instances.engines.wawp.gateway import (
    AUTH,
    INSTANCE,
    XML_SUCCESS,
    query_of,
)

# Session life.


@pytest.mark.parametrize(
    ("action", "answer", "status"),
    [
        ("start", {"name": "wawp-84729105", "status": "STARTING"}, SessionStatus.STARTING),
        ("stop", {"name": "wawp-84729105", "status": "STOPPED"}, SessionStatus.STOPPED),
        ("restart", {"name": "wawp-84729105", "status": "STARTING"}, SessionStatus.STARTING),
        ("logout", {"name": "wawp-84729105", "status": "SCAN_QR_CODE"}, SessionStatus.SCAN_QR_CODE),
    ],
)
def test_each_lifecycle_action_posts_to_its_session_path_with_instance_and_token(
    api, engine, action, answer, status
):
    route = api.post(f"/v2/session/{action}").respond(200, json=answer)

    state = getattr(engine, action)()

    assert query_of(route) == AUTH
    assert state.status is status


def test_an_xml_success_on_start_asks_for_the_session_info(api, engine):
    api.post("/v2/session/start").respond(200, text=XML_SUCCESS)
    info = api.post("/v2/session/info").respond(200, json={"status": "STARTING"})

    assert engine.start().status is SessionStatus.STARTING
    assert info.called


def test_status_posts_to_session_info_and_reads_the_account(api, engine):
    route = api.post("/v2/session/info").respond(
        200,
        json={
            "name": "wawp-84729105",
            "status": "WORKING",
            "config": {"webhooks": [], "proxy": None},
            "me": {"id": "201012345678@c.us", "pushName": "John Doe"},
        },
    )

    state = engine.status()

    assert query_of(route) == AUTH
    assert state.status is SessionStatus.WORKING
    assert state.me == Me(id="201012345678@c.us", push_name="John Doe")


def test_delete_sends_delete_to_the_session_delete_path(api, engine):
    route = api.delete("/v2/session/delete").respond(
        200, json={"name": "wawp-84729105", "status": "DELETED", "instance_id": INSTANCE}
    )

    engine.delete()

    assert query_of(route) == AUTH


def test_create_starts_the_configured_instance(api, engine):
    route = api.post("/v2/session/start").respond(200, json={"status": "STARTING"})

    assert engine.create().status is SessionStatus.STARTING
    assert route.called


def test_wawp_cannot_register_webhooks_so_the_ui_hides_it(engine):
    assert Capability.CONFIGURE_WEBHOOK not in WawpEngine.capabilities
    assert Capability.SIGNED_WEBHOOKS not in WawpEngine.capabilities

    with pytest.raises(NotSupportedError):
        engine.configure_webhook("https://switchboard.test/hooks/1/", "secret")

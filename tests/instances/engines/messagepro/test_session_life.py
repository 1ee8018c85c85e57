"""message-pro session life: instance paths, the token, status words."""

from __future__ import annotations

import pytest

from instances.engines.base import (
    NotSupportedError,
    SessionStatus,
)
from tests.instances.engines.messagepro.gateway import INSTANCE, TOKEN


@pytest.mark.parametrize(
    ("method", "action"),
    [
        ("start", "start"),
        ("restart", "restart"),
        ("logout", "logout"),
        ("recreate", "troubleshoot"),
    ],
)
def test_each_lifecycle_action_posts_json_to_its_instance_path_with_the_token(
    api, engine, method, action
):
    route = api.post(f"/api/v2/instances/{INSTANCE}/{action}").respond(
        200, json={"status": "loading"}
    )

    state = getattr(engine, method)()

    request = route.calls.last.request
    assert request.headers["token"] == TOKEN
    assert request.headers["Content-Type"] == "application/json"
    assert state.status is SessionStatus.STARTING
    assert state.raw_status == "loading"


def test_an_action_answer_without_a_session_status_asks_for_the_status(api, engine):
    api.post(f"/api/v2/instances/{INSTANCE}/start").respond(
        200, json={"status": "success", "message": "Started"}
    )
    status = api.get(f"/api/v2/instances/{INSTANCE}/status").respond(
        200, json={"data": {"status": "got qr code"}}
    )

    state = engine.start()

    assert status.called
    assert state.status is SessionStatus.SCAN_QR_CODE


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("authenticated", SessionStatus.WORKING),
        ("CONNECTED", SessionStatus.WORKING),
        ("qr", SessionStatus.SCAN_QR_CODE),
        ("got qr code", SessionStatus.SCAN_QR_CODE),
        ("SCAN_QR_CODE", SessionStatus.SCAN_QR_CODE),
        ("loading", SessionStatus.STARTING),
        ("starting", SessionStatus.STARTING),
        ("disconnected", SessionStatus.STOPPED),
        ("stopped", SessionStatus.STOPPED),
        ("failed", SessionStatus.FAILED),
        ("error", SessionStatus.FAILED),
        ("banned", SessionStatus.UNKNOWN),
    ],
)
def test_status_maps_the_undocumented_words_and_keeps_the_raw_one(api, engine, raw, status):
    api.get(f"/api/v2/instances/{INSTANCE}/status").respond(200, json={"status": raw})

    state = engine.status()

    assert state.status is status
    assert state.raw_status == raw


def test_a_status_body_without_a_status_is_unknown(api, engine):
    api.get(f"/api/v2/instances/{INSTANCE}/status").respond(200, text="OK")

    assert engine.status().status is SessionStatus.UNKNOWN


def test_a_missing_instance_counts_as_not_created_in_the_connection_test(api, engine):
    api.get(f"/api/v2/instances/{INSTANCE}/status").respond(404, json={"message": "Not found"})

    state = engine.test_connection()

    assert state.status is SessionStatus.STOPPED


@pytest.mark.parametrize(
    "call",
    [
        lambda engine: engine.stop(),
        lambda engine: engine.delete(),
        lambda engine: engine.pairing_code("+4917612345678"),
        lambda engine: engine.check_exists("+4917612345678"),
        lambda engine: engine.configure_webhook("https://switchboard.test/hooks/1/", "s"),
    ],
    ids=["stop", "delete", "pairing_code", "check_exists", "configure_webhook"],
)
def test_what_message_pro_lacks_is_not_supported(engine, call):
    with pytest.raises(NotSupportedError):
        call(engine)

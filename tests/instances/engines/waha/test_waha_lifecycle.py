"""The waha engine drives a session's life: create, start, stop, delete, QR, pairing code."""

from __future__ import annotations

import pytest

from instances.engines.base import (
    EngineConfig,
    Me,
    SessionStatus,
    WrongStateError,
)
from instances.engines.waha import WEBHOOK_EVENTS, WahaEngine
from tests.instances.engines.waha.conftest import (
    API_KEY,
    BASE,
    HOOK_SECRET,
    HOOK_URL,
    OUR_WEBHOOK,
    SESSION_SCANNING,
    SESSION_WORKING,
    body_of,
)

# Session life.


def test_start_posts_to_the_session_start_path_with_the_api_key(api, engine):
    route = api.post("/api/sessions/default/start").respond(
        201, json={**SESSION_WORKING, "status": "STARTING"}
    )

    state = engine.start()

    assert route.calls.last.request.headers["X-Api-Key"] == API_KEY
    assert state.status is SessionStatus.STARTING


@pytest.mark.parametrize("action", ["stop", "restart", "logout"])
def test_each_lifecycle_action_posts_to_its_session_path(api, engine, action):
    api.post(f"/api/sessions/default/{action}").respond(
        201, json={**SESSION_WORKING, "status": "STOPPED"}
    )

    state = getattr(engine, action)()

    assert state.status is SessionStatus.STOPPED
    assert state.raw_status == "STOPPED"


def test_status_reads_the_session_with_its_account(api, engine):
    me = {"id": "4915112345678@c.us", "pushName": "Support", "lid": "1234@lid"}
    api.get("/api/sessions/default").respond(200, json={**SESSION_WORKING, "me": me})

    state = engine.status()

    assert state.status is SessionStatus.WORKING
    assert state.me == Me(id="4915112345678@c.us", push_name="Support", lid="1234@lid")
    assert state.me.phone == "+4915112345678"


def test_a_status_newer_than_the_interface_is_unknown_with_the_raw_word_kept(api, engine):
    api.get("/api/sessions/default").respond(
        200, json={"name": "default", "status": "PASSKEY_REQUIRED", "me": None}
    )

    state = engine.status()

    assert state.status is SessionStatus.UNKNOWN
    assert state.raw_status == "PASSKEY_REQUIRED"
    assert state.me is None


def test_delete_sends_delete_to_the_session_path(api, engine):
    route = api.delete("/api/sessions/default").respond(200)

    engine.delete()

    assert route.called


def test_create_posts_the_session_started_with_the_webhook_config(api, engine):
    route = api.post("/api/sessions").respond(201, json={**SESSION_WORKING, "status": "STARTING"})

    state = engine.create()

    assert body_of(route) == {
        "name": "default",
        "start": True,
        "config": {"webhooks": [OUR_WEBHOOK]},
    }
    assert state.status is SessionStatus.STARTING


def test_create_subscribes_to_message_any_but_not_message_to_avoid_duplicates():
    assert "message.any" in WEBHOOK_EVENTS
    assert "message" not in WEBHOOK_EVENTS
    assert {"session.status", "message.ack", "message.reaction"} <= set(WEBHOOK_EVENTS)
    assert {"message.revoked", "message.edited"} <= set(WEBHOOK_EVENTS)


def test_create_adopts_an_existing_session_without_a_put_when_its_webhook_matches(api, engine):
    api.post("/api/sessions").respond(
        422,
        json={
            "statusCode": 422,
            "message": "Session 'default' already exists. Use PUT to update it.",
            "error": "Unprocessable Entity",
        },
    )
    existing = {**SESSION_WORKING, "config": {"webhooks": [OUR_WEBHOOK]}}
    api.get("/api/sessions/default").respond(200, json=existing)
    put = api.put("/api/sessions/default")

    state = engine.create()

    assert not put.called
    assert state.status is SessionStatus.WORKING


def test_create_puts_our_webhook_on_an_existing_session_and_keeps_the_rest_of_its_config(
    api, engine
):
    api.post("/api/sessions").respond(
        422, json={"statusCode": 422, "message": "Session 'default' already exists."}
    )
    old_config = {"proxy": None, "metadata": {"team": "ops"}, "webhooks": []}
    api.get("/api/sessions/default").respond(200, json={**SESSION_WORKING, "config": old_config})
    put = api.put("/api/sessions/default").respond(
        200, json={**SESSION_WORKING, "status": "STARTING"}
    )

    state = engine.create()

    assert body_of(put) == {
        "config": {"proxy": None, "metadata": {"team": "ops"}, "webhooks": [OUR_WEBHOOK]}
    }
    assert state.status is SessionStatus.STARTING


def test_create_starts_an_existing_session_that_is_stopped(api, engine):
    api.post("/api/sessions").respond(422, json={"message": "Session 'default' already exists."})
    api.get("/api/sessions/default").respond(
        200,
        json={"name": "default", "status": "STOPPED", "config": {"webhooks": [OUR_WEBHOOK]}},
    )
    start = api.post("/api/sessions/default/start").respond(
        201, json={"name": "default", "status": "STARTING"}
    )

    state = engine.create()

    assert start.called
    assert state.status is SessionStatus.STARTING


def test_create_without_a_webhook_url_sends_no_config(api):
    route = api.post("/api/sessions").respond(201, json={"name": "s1", "status": "STARTING"})
    config = EngineConfig(base_url=BASE, api_key=API_KEY, session="s1")

    with WahaEngine(config) as engine:
        engine.create()

    assert body_of(route) == {"name": "s1", "start": True}


def test_create_passes_on_a_wrong_state_that_is_not_an_existing_session(api, engine):
    api.post("/api/sessions").respond(422, json={"message": "Something else entirely"})

    with pytest.raises(WrongStateError):
        engine.create()


def test_recreate_stops_deletes_and_creates_the_session_again(api, engine):
    stop = api.post("/api/sessions/default/stop").respond(201, json={"status": "STOPPED"})
    delete = api.delete("/api/sessions/default").respond(200)
    create = api.post("/api/sessions").respond(201, json={"name": "default", "status": "STARTING"})

    state = engine.recreate()

    assert stop.called and delete.called and create.called
    assert state.status is SessionStatus.STARTING


def test_recreate_carries_on_when_the_session_is_already_gone(api, engine):
    not_found = {"statusCode": 404, "message": "Session not found", "error": "Not Found"}
    api.post("/api/sessions/default/stop").respond(404, json=not_found)
    api.delete("/api/sessions/default").respond(404, json=not_found)
    api.post("/api/sessions").respond(201, json={"name": "default", "status": "STARTING"})

    assert engine.recreate().status is SessionStatus.STARTING


def test_configure_webhook_puts_the_new_url_and_secret(api, engine):
    api.get("/api/sessions/default").respond(200, json=SESSION_WORKING)
    put = api.put("/api/sessions/default").respond(200, json=SESSION_WORKING)

    engine.configure_webhook("https://new.test/hooks/1/", "new-secret")

    (webhook,) = body_of(put)["config"]["webhooks"]
    assert webhook["url"] == "https://new.test/hooks/1/"
    assert webhook["hmac"] == {"key": "new-secret"}


def test_configure_webhook_leaves_a_matching_config_alone(api, engine):
    api.get("/api/sessions/default").respond(
        200, json={**SESSION_WORKING, "config": {"webhooks": [OUR_WEBHOOK]}}
    )
    put = api.put("/api/sessions/default")

    engine.configure_webhook(HOOK_URL, HOOK_SECRET)

    assert not put.called


# Login, screenshot, contacts.


def test_qr_asks_for_the_raw_value(api, engine):
    api.get("/api/sessions/default").respond(200, json=SESSION_SCANNING)
    route = api.get("/api/default/auth/qr", params={"format": "raw"}).respond(
        200, json={"value": "2@abc,def,ghi"}
    )

    assert engine.qr().value == "2@abc,def,ghi"
    assert route.called


def test_pairing_code_posts_the_phone_number_as_digits(api, engine):
    api.get("/api/sessions/default").respond(200, json=SESSION_SCANNING)
    route = api.post("/api/default/auth/request-code").respond(201, json={"code": "ABCD-EFGH"})

    assert engine.pairing_code("+49 151 1234-5678") == "ABCD-EFGH"
    assert body_of(route) == {"phoneNumber": "4915112345678"}


def test_screenshot_returns_the_png_bytes(api, engine):
    png = b"\x89PNG\r\n\x1a\nfake"
    route = api.get("/api/screenshot", params={"session": "default"}).respond(
        200, content=png, headers={"Content-Type": "image/png"}
    )

    shot = engine.screenshot()

    assert shot.content == png
    assert shot.mimetype == "image/png"
    assert route.calls.last.request.headers["Accept"] == "image/png"

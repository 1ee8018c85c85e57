from __future__ import annotations

from tests.refused_address import REFUSED_URL

SESSION_NOT_FOUND = {"statusCode": 404, "message": "Session not found", "error": "Not Found"}


def statuses(receiver, count):
    return [hook.payload["status"] for hook in receiver.wait_for(count)]


def test_creating_a_session_answers_201_with_the_session_object(api):
    config = {"metadata": {"instance": "42"}}

    response = api.post("/api/sessions", json={"name": "sales", "config": config})

    assert response.status_code == 201
    assert response.json() == {
        "name": "sales",
        "status": "STARTING",
        "config": config,
        "me": None,
        "engine": {"engine": "NOWEB"},
    }


def test_creating_a_session_without_start_leaves_it_stopped(api):
    response = api.post("/api/sessions", json={"name": "sales", "start": False})

    assert response.json()["status"] == "STOPPED"


def test_creating_an_existing_session_is_refused_with_422(api):
    api.post("/api/sessions", json={"name": "default"})

    response = api.post("/api/sessions", json={"name": "default"})

    assert response.status_code == 422
    assert response.json() == {
        "statusCode": 422,
        "message": "Session 'default' already exists. Use PUT to update it.",
        "error": "Unprocessable Entity",
    }


def test_listing_shows_running_sessions_unless_all_is_asked_for(api):
    api.post("/api/sessions", json={"name": "running"})
    api.post("/api/sessions", json={"name": "stopped", "start": False})

    running = api.get("/api/sessions").json()
    everything = api.get("/api/sessions", params={"all": "true"}).json()

    assert [s["name"] for s in running] == ["running"]
    assert [s["name"] for s in everything] == ["running", "stopped"]


def test_an_unknown_session_is_404(api):
    for response in (
        api.get("/api/sessions/ghost"),
        api.post("/api/sessions/ghost/start"),
        api.put("/api/sessions/ghost", json={}),
    ):
        assert response.status_code == 404
        assert response.json() == SESSION_NOT_FOUND


def test_starting_gives_way_to_scan_qr_code_after_the_starting_time(simulator, api):
    simulator.state.starting_seconds = 0.5
    api.post("/api/sessions", json={"name": "default"})

    assert api.get("/api/sessions/default").json()["status"] == "STARTING"
    simulator.clock.advance(0.5)
    assert api.get("/api/sessions/default").json()["status"] == "SCAN_QR_CODE"


def test_a_scan_makes_the_session_working_with_me_set(api):
    api.post("/api/sessions", json={"name": "default"})
    api.get("/api/sessions/default")

    response = api.post(
        "/simulator/sessions/default/scan", json={"phone": "+1 555 000 1234", "pushName": "Ada"}
    )

    assert response.status_code == 201
    session = api.get("/api/sessions/default").json()
    assert session["status"] == "WORKING"
    assert session["me"] == {"id": "15550001234@c.us", "pushName": "Ada"}
    assert api.get("/api/sessions/default/me").json() == session["me"]


def test_a_scan_outside_scan_qr_code_is_refused(link_session, api):
    link_session()

    response = api.post("/simulator/sessions/default/scan")

    assert response.status_code == 422
    assert response.json()["expected"] == ["SCAN_QR_CODE"]


def test_stop_then_start_comes_back_working_without_a_new_scan(link_session, api):
    link_session()

    stopped = api.post("/api/sessions/default/stop")
    started = api.post("/api/sessions/default/start")

    assert (stopped.status_code, stopped.json()["status"]) == (201, "STOPPED")
    assert stopped.json()["me"] is None
    assert (started.status_code, started.json()["status"]) == (201, "STARTING")
    assert api.get("/api/sessions/default").json()["status"] == "WORKING"


def test_logout_unlinks_the_phone_and_asks_for_a_new_scan(link_session, api):
    link_session()

    response = api.post("/api/sessions/default/logout")

    assert response.status_code == 201
    session = api.get("/api/sessions/default").json()
    assert (session["status"], session["me"]) == ("SCAN_QR_CODE", None)


def test_logout_of_a_stopped_session_keeps_it_stopped(link_session, api):
    link_session()
    api.post("/api/sessions/default/stop")

    response = api.post("/api/sessions/default/logout")

    assert response.json()["status"] == "STOPPED"
    api.post("/api/sessions/default/start")
    assert api.get("/api/sessions/default").json()["status"] == "SCAN_QR_CODE"


def test_a_failed_session_restarts_through_starting(link_session, api):
    link_session()

    failed = api.post("/simulator/sessions/default/fail")
    restarted = api.post("/api/sessions/default/restart")

    assert failed.json()["status"] == "FAILED"
    assert restarted.json()["status"] == "STARTING"
    assert api.get("/api/sessions/default").json()["status"] == "WORKING"


def test_put_replaces_the_config_and_restarts_a_running_session(link_session, api):
    link_session()
    config = {"webhooks": [{"url": f"{REFUSED_URL}/hooks/", "events": ["message"]}]}

    response = api.put("/api/sessions/default", json={"config": config})

    assert response.status_code == 200
    assert response.json()["status"] == "STARTING"
    assert response.json()["config"] == config


def test_put_on_a_stopped_session_keeps_it_stopped(api):
    api.post("/api/sessions", json={"name": "default", "start": False})

    response = api.put("/api/sessions/default", json={"config": {"metadata": {"a": "b"}}})

    assert response.json()["status"] == "STOPPED"


def test_delete_answers_200_with_an_empty_body_and_forgets_the_session(link_session, api):
    link_session()

    response = api.delete("/api/sessions/default")

    assert (response.status_code, response.content) == (200, b"")
    assert api.get("/api/sessions/default").status_code == 404
    # WAHA documents delete as idempotent.
    assert api.delete("/api/sessions/default").status_code == 200


def test_every_status_change_posts_a_session_status_webhook(link_session, api, webhook_receiver):
    link_session(webhook_url=webhook_receiver.url, events=("session.status",))
    api.post("/api/sessions/default/stop")

    hooks = webhook_receiver.wait_for(4)

    assert [hook.payload for hook in hooks] == [
        {"name": "default", "status": status}
        for status in ("STARTING", "SCAN_QR_CODE", "WORKING", "STOPPED")
    ]
    assert hooks[2].envelope["me"] == {
        "id": "15550001234@c.us",
        "pushName": "Switchboard Simulator",
    }


def test_a_webhook_url_that_is_not_a_url_is_a_400_with_a_list(api):
    config = {"webhooks": [{"url": "not a url", "events": ["message"]}]}

    response = api.post("/api/sessions", json={"name": "default", "config": config})

    assert response.status_code == 400
    assert response.json() == {
        "statusCode": 400,
        "message": ["config.webhooks.0.url must be a URL address"],
        "error": "Bad Request",
    }


def test_a_body_that_is_not_json_is_a_400(api):
    response = api.post(
        "/api/sessions", content=b"{name: oops", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["statusCode"] == 400
    assert isinstance(response.json()["message"], str)

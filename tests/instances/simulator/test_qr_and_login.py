from __future__ import annotations

import base64
import re

from instances.simulator import ManualClock, Simulator

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def scanning_session(api, name="default"):
    api.post("/api/sessions", json={"name": name})
    assert api.get(f"/api/sessions/{name}").json()["status"] == "SCAN_QR_CODE"


def test_the_qr_is_a_png_image_by_default(api):
    scanning_session(api)

    response = api.get("/api/default/auth/qr", headers={"Accept": "*/*"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content.startswith(PNG_SIGNATURE)


def test_the_qr_comes_as_base64_json_when_json_is_accepted(api):
    scanning_session(api)

    response = api.get("/api/default/auth/qr", headers={"Accept": "application/json"})

    assert response.json()["mimetype"] == "image/png"
    assert base64.b64decode(response.json()["data"]).startswith(PNG_SIGNATURE)


def test_the_raw_qr_value_is_available_and_rotates_every_20_seconds(simulator, api):
    scanning_session(api)
    first = api.get("/api/default/auth/qr", params={"format": "raw"}).json()["value"]

    simulator.clock.advance(19)
    same = api.get("/api/default/auth/qr", params={"format": "raw"}).json()["value"]
    simulator.clock.advance(1)
    rotated = api.get("/api/default/auth/qr", params={"format": "raw"}).json()["value"]

    assert first.startswith("2@")
    assert same == first
    assert rotated != first


def test_each_new_qr_re_announces_scan_qr_code(simulator, api, webhook_receiver):
    config = {"webhooks": [{"url": webhook_receiver.url, "events": ["session.status"]}]}
    api.post("/api/sessions", json={"name": "default", "config": config})
    api.get("/api/sessions/default")

    simulator.clock.advance(20)
    api.get("/api/sessions/default")
    simulator.clock.advance(20)
    api.get("/api/sessions/default")

    hooks = webhook_receiver.wait_for(4)
    assert [hook.payload["status"] for hook in hooks] == [
        "STARTING",
        "SCAN_QR_CODE",
        "SCAN_QR_CODE",
        "SCAN_QR_CODE",
    ]


def test_the_qr_outside_scan_qr_code_is_a_422_like_waha(simulator, api):
    simulator.state.starting_seconds = 5
    api.post("/api/sessions", json={"name": "default"})

    response = api.get("/api/default/auth/qr")

    assert response.status_code == 422
    assert response.json() == {
        "error": "Session status is not as expected. Try again later or restart the session",
        "session": "default",
        "status": "STARTING",
        "expected": ["SCAN_QR_CODE"],
    }


def test_the_qr_of_a_stopped_session_is_a_404(api):
    api.post("/api/sessions", json={"name": "default", "start": False})

    response = api.get("/api/default/auth/qr")

    assert response.status_code == 404
    assert "Please start it first" in response.json()["message"]


def test_a_pairing_code_looks_like_waha_s_and_links_that_number(api):
    scanning_session(api)

    response = api.post("/api/default/auth/request-code", json={"phoneNumber": "+15550002222"})
    api.post("/simulator/sessions/default/scan")

    assert response.status_code == 201
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}", response.json()["code"])
    assert api.get("/api/sessions/default").json()["me"]["id"] == "15550002222@c.us"


def test_a_pairing_code_needs_a_phone_number_and_the_scan_state(link_session, api):
    scanning_session(api, "other")
    link_session()

    missing = api.post("/api/other/auth/request-code", json={})
    working = api.post("/api/default/auth/request-code", json={"phoneNumber": "15550002222"})

    assert missing.status_code == 400
    assert missing.json()["message"] == ["phoneNumber should not be empty"]
    assert working.status_code == 422
    assert "SCAN_QR_CODE" in working.json()["message"]


def test_auto_scan_links_a_phone_after_the_configured_delay():
    clock = ManualClock()
    with Simulator(clock=clock, starting_seconds=0, auto_scan_after=30) as sim:
        sim.state.create_session("default", None, start=True)
        sim.state.tick()
        clock.advance(29)
        assert sim.state.status("default") == "SCAN_QR_CODE"

        clock.advance(1)

        assert sim.state.status("default") == "WORKING"
        assert sim.state.get_session("default")["me"]["id"].endswith("@c.us")


def test_a_screenshot_is_a_png(link_session, api):
    link_session()

    response = api.get("/api/screenshot", params={"session": "default"})

    assert response.headers["content-type"] == "image/png"
    assert response.content.startswith(PNG_SIGNATURE)

from __future__ import annotations

import time

import httpx
import pytest

from instances.simulator import ManualClock, Simulator

CHAT = "15550009999@c.us"
NO_FAULTS = {
    "latency_ms": 0,
    "rate_429": 0.0,
    "rate_500": 0.0,
    "rate_reset": 0.0,
    "rate_timeout": 0.0,
    "timeout_hold_s": 35.0,
    "duplicate_webhooks": 0.0,
    "out_of_order_webhooks": False,
}


def send_text(api, text="Hello", **kwargs):
    body = {"session": "default", "chatId": CHAT, "text": text}
    return api.post("/api/sendText", json=body, **kwargs)


def set_faults(api, **faults):
    response = api.post("/simulator/faults", json=faults)
    assert response.status_code == 201, response.json()
    return response.json()


def test_faults_can_be_read_set_and_cleared(api):
    assert api.get("/simulator/faults").json() == NO_FAULTS

    assert set_faults(api, rate_429=0.25, latency_ms=10) == {
        **NO_FAULTS,
        "rate_429": 0.25,
        "latency_ms": 10,
    }
    assert set_faults(api, rate_500=0.5)["rate_429"] == 0.25
    assert api.delete("/simulator/faults").json() == NO_FAULTS


def test_invalid_faults_are_a_400_with_every_problem(api):
    response = api.post("/simulator/faults", json={"rate_429": 2, "latency_ms": -1, "bogus": True})

    assert response.status_code == 400
    assert response.json()["message"] == [
        "property bogus should not exist",
        "rate_429 must be a number between 0 and 1",
        "latency_ms must be a non-negative integer",
    ]


def test_send_rates_may_not_add_up_to_more_than_one(api):
    response = api.post("/simulator/faults", json={"rate_429": 0.6, "rate_500": 0.6})

    assert response.status_code == 400


def test_throttling_answers_429_with_retry_after_and_sends_nothing(simulator, link_session, api):
    link_session()
    set_faults(api, rate_429=1)

    response = send_text(api)

    assert response.status_code == 429
    assert response.json() == {"statusCode": 429, "message": "Too Many Requests"}
    assert response.headers["retry-after"] == "1"
    assert simulator.state.sent("default") == []


def test_a_500_sends_nothing(simulator, link_session, api):
    link_session()
    set_faults(api, rate_500=1)

    response = send_text(api)

    assert response.status_code == 500
    assert simulator.state.sent("default") == []


def test_a_reset_closes_the_connection_without_an_answer(simulator, link_session, api):
    link_session()
    set_faults(api, rate_reset=1)

    with pytest.raises(httpx.TransportError):
        send_text(api)

    assert simulator.state.sent("default") == []


def test_a_timeout_records_the_message_but_holds_the_answer(simulator, link_session, api):
    link_session()
    set_faults(api, rate_timeout=1, timeout_hold_s=1)

    with pytest.raises(httpx.ReadTimeout):
        send_text(api, timeout=httpx.Timeout(5, read=0.2))

    [record] = simulator.state.sent("default")
    assert record.message["body"] == "Hello"


def test_faults_only_hit_sends(link_session, api):
    link_session()
    set_faults(api, rate_500=1)

    assert api.get("/api/sessions/default").status_code == 200


def test_latency_slows_api_requests(link_session, api):
    link_session()
    set_faults(api, latency_ms=150)

    started = time.monotonic()
    api.get("/api/sessions/default")

    assert time.monotonic() - started >= 0.15


def test_duplicate_webhooks_deliver_each_event_twice_with_the_same_id(
    simulator, link_session, api, webhook_receiver
):
    link_session(webhook_url=webhook_receiver.url, events=("message.ack",))
    set_faults(api, duplicate_webhooks=1)

    send_text(api)

    hooks = webhook_receiver.wait_for(6)
    ids = [hook.envelope["id"] for hook in hooks]
    assert len(set(ids)) == 3
    assert all(ids.count(event_id) == 2 for event_id in ids)


def test_out_of_order_webhooks_deliver_read_before_server(
    simulator, link_session, api, webhook_receiver
):
    link_session(webhook_url=webhook_receiver.url, events=("message.ack", "message.any"))
    set_faults(api, out_of_order_webhooks=True)

    message = send_text(api).json()

    hooks = webhook_receiver.wait_for(4)
    assert [hook.payload.get("ackName") for hook in hooks[:3]] == ["READ", "DEVICE", "SERVER"]
    assert hooks[3].event == "message.any"
    # Acks never move backwards, however they arrive.
    lookup = api.get(f"/api/default/chats/{CHAT}/messages/{message['id']}").json()
    assert lookup["ackName"] == "READ"


def test_the_same_seed_draws_the_same_faults():
    def outcomes(seed):
        with Simulator(clock=ManualClock(), seed=seed) as sim:
            sim.state.set_faults({"rate_429": 0.3, "rate_500": 0.3})
            return [sim.state.draw_send_fault() for _ in range(20)]

    assert outcomes(7) == outcomes(7)
    assert outcomes(7) != outcomes(8)

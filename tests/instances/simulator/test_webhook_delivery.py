from __future__ import annotations

import hashlib
import hmac
import re

from instances.simulator import CURRENT, sign
from instances.simulator.webhooks import RetryPolicy
from tests.refused_address import REFUSED_URL


def test_the_hmac_matches_waha_s_test_vector():
    body = b'{"event":"message","session":"default","engine":"WEBJS"}'

    assert sign(body, "my-secret-key") == (
        "208f8a55dde9e05519e898b10b89bf0d0b3b0fdf11fdbf09b6b90476301b98d8"
        "097c462b2b17a6ce93b6b47a136cf2e78a33a63f6752c2c1631777076153fa89"
    )


def test_the_envelope_has_waha_s_shape(link_session, webhook_receiver):
    link_session(webhook_url=webhook_receiver.url, events=("session.status",))

    hook = webhook_receiver.wait_for(3)[2]

    envelope = hook.envelope
    assert list(envelope) == [
        "id",
        "timestamp",
        "event",
        "session",
        "metadata",
        "me",
        "payload",
        "engine",
        "environment",
    ]
    assert re.fullmatch(r"evt_[0-9a-z]{26}", envelope["id"])
    assert isinstance(envelope["timestamp"], int) and envelope["timestamp"] > 10**12
    assert (envelope["event"], envelope["session"], envelope["metadata"]) == (
        "session.status",
        "default",
        {},
    )
    assert envelope["engine"] == "NOWEB"
    assert envelope["environment"] == {
        "version": CURRENT.version,
        "engine": "NOWEB",
        "tier": "CORE",
        "browser": None,
    }


def test_every_event_has_its_own_id(link_session, webhook_receiver):
    link_session(webhook_url=webhook_receiver.url, events=("session.status",))

    ids = {hook.envelope["id"] for hook in webhook_receiver.wait_for(3)}

    assert len(ids) == 3


def test_signed_webhooks_carry_waha_s_headers(link_session, webhook_receiver):
    link_session(webhook_url=webhook_receiver.url, events=("session.status",), hmac_key="s3cret")

    hook = webhook_receiver.wait_for(1)[0]

    headers = hook.headers
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"] == f"WAHA/{CURRENT.version}"
    assert headers["x-webhook-request-id"]
    assert headers["x-webhook-timestamp"].isdigit()
    assert headers["x-webhook-hmac-algorithm"] == "sha512"
    expected = hmac.new(b"s3cret", hook.body, hashlib.sha512).hexdigest()
    assert headers["x-webhook-hmac"] == expected


def test_unsigned_webhooks_have_no_hmac_headers(link_session, webhook_receiver):
    link_session(webhook_url=webhook_receiver.url, events=("session.status",))

    headers = webhook_receiver.wait_for(1)[0].headers

    assert "x-webhook-hmac" not in headers
    assert "x-webhook-hmac-algorithm" not in headers


def test_metadata_and_custom_headers_come_from_the_session_config(api, webhook_receiver):
    webhook = {
        "url": webhook_receiver.url,
        "events": ["session.status"],
        "customHeaders": [{"name": "X-Instance", "value": "42"}],
    }
    config = {"metadata": {"instance": "42"}, "webhooks": [webhook]}

    api.post("/api/sessions", json={"name": "default", "config": config})

    hook = webhook_receiver.wait_for(1)[0]
    assert hook.headers["x-instance"] == "42"
    assert hook.envelope["metadata"] == {"instance": "42"}


def test_a_failed_delivery_is_retried_per_the_config(simulator, api, webhook_receiver):
    simulator.state.starting_seconds = 60  # Only the STARTING event, then.
    webhook_receiver.respond_with(500, 503)
    webhook = {
        "url": webhook_receiver.url,
        "events": ["session.status"],
        "retries": {"policy": "constant", "delaySeconds": 0.05, "attempts": 3},
    }

    api.post("/api/sessions", json={"name": "default", "config": {"webhooks": [webhook]}})

    hooks = webhook_receiver.wait_for(3)
    assert len({hook.body for hook in hooks}) == 1
    assert len({hook.headers["x-webhook-request-id"] for hook in hooks}) == 3
    assert simulator.dispatcher.wait_idle()
    assert simulator.dispatcher.stats()["retried"] == 2
    assert simulator.dispatcher.stats()["delivered"] == 1


def test_delivery_gives_up_after_the_last_attempt(simulator, api, webhook_receiver):
    simulator.state.starting_seconds = 60  # Only the STARTING event, then.
    webhook_receiver.respond_with(500, 500)
    webhook = {
        "url": webhook_receiver.url,
        "events": ["session.status"],
        "retries": {"delaySeconds": 0, "attempts": 2},
    }

    api.post("/api/sessions", json={"name": "default", "config": {"webhooks": [webhook]}})

    assert simulator.dispatcher.wait_idle()
    assert len(webhook_receiver.events()) == 2
    assert simulator.dispatcher.stats()["failed"] == 1


def test_an_unreachable_receiver_never_breaks_the_server(simulator, api):
    webhook = {
        "url": f"{REFUSED_URL}/unreachable",
        "events": ["*"],
        "retries": {"delaySeconds": 0, "attempts": 1},
    }

    api.post("/api/sessions", json={"name": "default", "config": {"webhooks": [webhook]}})

    assert simulator.dispatcher.wait_idle()
    assert simulator.dispatcher.stats()["failed"] >= 1
    assert api.get("/api/sessions/default").status_code == 200


def test_retry_policies_space_attempts_out_within_bounds():
    constant = RetryPolicy.from_config({"policy": "constant", "delaySeconds": 2})
    linear = RetryPolicy.from_config({"policy": "linear", "delaySeconds": 2})
    exponential = RetryPolicy.from_config({"policy": "exponential", "delaySeconds": 2})

    assert [constant.delay_after(n) for n in (1, 2, 3)] == [2, 2, 2]
    assert [linear.delay_after(n) for n in (1, 2, 3)] == [2, 4, 6]
    assert [exponential.delay_after(n) for n in (1, 2, 3, 10)] == [2, 4, 8, 60]
    assert RetryPolicy.from_config({"attempts": 1000}).attempts == 15
    assert RetryPolicy.from_config(None).attempts == 3

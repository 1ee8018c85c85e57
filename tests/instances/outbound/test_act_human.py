"""Acting human: seen, then typing for a time drawn from the text, then the send."""

from __future__ import annotations

import random

import pytest
import respx

from instances.engines.base import EngineConfig, MessageKind, SendRequest
from instances.engines.messagepro import MessageProEngine
from instances.engines.waha import WahaEngine
from instances.engines.wawp import WawpEngine
from instances.outbound.act_human import (
    MAX_TYPING_SECONDS,
    MIN_TYPING_SECONDS,
    perform_act_human,
    typing_seconds,
)

CHAT = "4915123456789@c.us"


def test_typing_takes_longer_for_a_longer_text():
    short = typing_seconds("text", {"text": "Hi there, your parcel"}, random.Random(1))
    text = "Hi there, your parcel is on its way"
    longer = typing_seconds("text", {"text": text}, random.Random(1))

    assert MIN_TYPING_SECONDS <= short < longer <= MAX_TYPING_SECONDS


@pytest.mark.parametrize(
    ("kind", "payload", "expected"),
    [
        ("text", {"text": "ok"}, MIN_TYPING_SECONDS),
        ("text", {"text": "x" * 4096}, MAX_TYPING_SECONDS),
        ("image", {"url": "https://cdn.test/a.jpg"}, MIN_TYPING_SECONDS),
        ("reaction", {"message_id": "m", "emoji": "👍"}, 0.0),
    ],
)
def test_typing_time_is_bounded_and_a_reaction_needs_none(kind, payload, expected):
    assert typing_seconds(kind, payload, random.Random(3)) == expected


def test_a_caption_and_poll_options_count_as_typed_text():
    rng = random.Random(5)
    caption = typing_seconds("image", {"url": "u", "caption": "c" * 40}, rng)
    poll = typing_seconds("poll", {"name": "Lunch?", "options": ["Pizza", "Sushi", "Salad"]}, rng)

    assert caption > MIN_TYPING_SECONDS
    assert poll > MIN_TYPING_SECONDS


def test_seen_then_typing_for_the_drawn_time_then_the_send(simulator, linked):
    config = EngineConfig(base_url=simulator.url, api_key=simulator.api_key, session="default")
    slept = []

    def sleep(seconds):
        # While the "typing" time passes, the chat shows typing and nothing has been sent.
        slept.append((seconds, [a["action"] for a in simulator.state.actions("default")]))

    with WahaEngine(config) as engine:
        waited = perform_act_human(engine, CHAT, 2.5, sleep)
        engine.send(SendRequest(CHAT, MessageKind.TEXT, {"text": "Hello"}))

    assert waited == 2.5
    assert slept == [(2.5, ["sendSeen", "startTyping"])]
    timeline = simulator.state.actions("default")
    assert [a["action"] for a in timeline] == ["sendSeen", "startTyping", "stopTyping", "sendText"]
    assert all(a["chatId"] == CHAT for a in timeline)


def test_an_engine_that_can_only_type_skips_seen():
    config = EngineConfig(base_url="https://api.wawp.test", api_key="t", session="i")
    with respx.mock(base_url="https://api.wawp.test") as api:
        start = api.post("/v2/send/start-typing").respond(200, json={})
        stop = api.post("/v2/send/stop-typing").respond(200, json={})
        with WawpEngine(config) as engine:
            waited = perform_act_human(engine, CHAT, 1.5, lambda seconds: None)
        paths = [call.request.url.path for call in api.calls]

    assert waited == 1.5
    assert start.call_count == stop.call_count == 1
    assert paths == ["/v2/send/start-typing", "/v2/send/stop-typing"]


def test_an_engine_that_can_do_neither_waits_nothing_and_calls_nothing():
    config = EngineConfig(base_url="https://mp.test", api_key="t", session="i")
    slept = []
    with respx.mock(base_url="https://mp.test") as api, MessageProEngine(config) as engine:
        waited = perform_act_human(engine, CHAT, 3.0, slept.append)
        calls = api.calls.call_count

    assert waited == 0.0 and slept == []
    assert calls == 0


def test_a_failing_gateway_never_blocks_the_message_and_waits_nothing():
    config = EngineConfig(base_url="http://waha.test", api_key="k", session="default")
    slept = []
    with (
        respx.mock(base_url="http://waha.test", assert_all_called=False) as api,
        WahaEngine(config) as engine,
    ):
        api.post("/api/sendSeen").respond(500)
        api.post("/api/startTyping").respond(503)
        stop = api.post("/api/stopTyping").respond(201)
        waited = perform_act_human(engine, CHAT, 3.0, slept.append)

    assert waited == 0.0 and slept == []
    assert stop.call_count == 0


def test_typing_is_stopped_even_when_the_wait_is_interrupted():
    config = EngineConfig(base_url="http://waha.test", api_key="k", session="default")

    def interrupted(seconds):
        raise KeyboardInterrupt

    with respx.mock(base_url="http://waha.test") as api, WahaEngine(config) as engine:
        api.post("/api/sendSeen").respond(201, json={})
        api.post("/api/startTyping").respond(201)
        stop = api.post("/api/stopTyping").respond(201)
        with pytest.raises(KeyboardInterrupt):
            perform_act_human(engine, CHAT, 3.0, interrupted)

    assert stop.call_count == 1


@pytest.mark.django_db
def test_the_dispatcher_marks_seen_and_types_just_before_the_slot_then_sends(simulator, linked):
    from datetime import timedelta

    from django.utils import timezone

    from instances.models import QueueSettings
    from instances.outbound import enqueue
    from instances.outbound.dispatcher import send_next, typing_budget

    QueueSettings.objects.filter(instance=linked).update(
        min_delay_seconds=3, max_delay_seconds=4, act_human=True
    )
    enqueue(linked, "+4915123456789", "text", {"text": "Your parcel is on its way"})
    slot = timezone.now() + timedelta(seconds=5)
    waits: list[float] = []

    send_next(linked.pk, slot, rng=random.Random(2), sleep=waits.append)

    timeline = simulator.state.actions("default")
    assert [entry["action"] for entry in timeline] == [
        "sendSeen",
        "startTyping",
        "stopTyping",
        "sendText",
    ]
    # Typing fits inside the shortest delay the instance may draw (3 s, less a margin).
    assert typing_budget(QueueSettings.objects.get(instance=linked)) == 2.5
    *_, typing = waits
    assert MIN_TYPING_SECONDS <= typing <= 2.5

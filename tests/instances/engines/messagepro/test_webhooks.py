"""message-pro webhooks: none documented, so any JSON object is kept as an OTHER event."""

from __future__ import annotations

import hashlib

import pytest

from instances.engines.base import (
    EventKind,
)


def test_any_json_object_is_an_other_event_named_by_its_event_key(engine):
    body = b'{"event": "message.sent", "id": 5}'

    (event,) = engine.parse_webhook({}, body)

    assert event.kind is EventKind.OTHER
    assert event.raw_event == "message.sent"
    assert event.event_id == f"sha256:{hashlib.sha256(body).hexdigest()}"


def test_a_body_named_by_type_or_by_nothing_is_still_kept(engine):
    (typed,) = engine.parse_webhook({}, b'{"type": "status"}')
    (unnamed,) = engine.parse_webhook({}, b'{"foo": 1}')

    assert typed.raw_event == "status"
    assert unnamed.raw_event == "unknown"


@pytest.mark.parametrize("body", [b"[1]", b"null", b"not json", b"\xff"])
def test_a_body_that_is_not_a_json_object_raises_value_error(engine, body):
    with pytest.raises(ValueError):
        engine.parse_webhook({}, body)

"""The models' choices and the page's actions come from the engine layer's enums."""

from __future__ import annotations

from inbox.models import WebhookEvent
from instances.actions import Action
from instances.engines.base import Capability, EventKind, MessageKind, SessionStatus
from instances.models import InstanceStatus, OutboundMessage


def test_instance_statuses_are_exactly_the_engine_session_statuses():
    assert list(InstanceStatus.values) == [status.value for status in SessionStatus]


def test_every_page_action_is_an_engine_capability():
    assert {action.capability for action in Action} <= set(Capability)


def test_message_and_event_kinds_read_as_words():
    message_kinds = dict(OutboundMessage._meta.get_field("kind").choices)
    assert set(message_kinds) == {kind.value for kind in MessageKind}
    assert message_kinds["link_preview"] == "Link preview"
    event_kinds = dict(WebhookEvent._meta.get_field("kind").choices)
    assert set(event_kinds) == {kind.value for kind in EventKind}
    assert event_kinds["session_status"] == "Session status"

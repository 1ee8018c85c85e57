"""Acting human before a send: mark the chat read, then show "typing..." for as long as a person
would take to type the message. WAHA sends no typing by itself and advises sending it by hand
before each message (https://waha.devlike.pro/docs/how-to/presence).

The dispatcher calls `perform_act_human` inside the delay it drew for the send, so acting human
never slows an instance down; it only fills the pause with what a phone would show.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any

from instances.engines.base import Capability, Engine, EngineError, MessageKind

logger = logging.getLogger(__name__)

# A fast phone typist: 0.05 to 0.08 s per character, drawn once per message.
SECONDS_PER_CHARACTER = (0.05, 0.08)
MIN_TYPING_SECONDS = 1.0
# WhatsApp drops a typing indicator after about 10 s without a refresh (seed 001, "Stop Typing").
MAX_TYPING_SECONDS = 6.0

# The words a person would type for each kind; a reaction is a tap, not typing.
_TYPED_FIELDS: dict[MessageKind, tuple[str, ...]] = {
    MessageKind.TEXT: ("text",),
    MessageKind.LINK_PREVIEW: ("text",),
    MessageKind.IMAGE: ("caption",),
    MessageKind.DOCUMENT: ("caption",),
    MessageKind.VIDEO: ("caption",),
    MessageKind.VOICE: (),
    MessageKind.LOCATION: ("title",),
    MessageKind.CONTACT: (),
    MessageKind.POLL: ("name", "options"),
    MessageKind.LIST: ("title", "description", "footer"),
}


def typed_characters(kind: MessageKind | str, payload: dict[str, Any]) -> int:
    fields = _TYPED_FIELDS.get(MessageKind(kind), ())
    total = 0
    for field in fields:
        value = payload.get(field)
        if isinstance(value, str):
            total += len(value)
        elif isinstance(value, list):
            total += sum(len(item) for item in value if isinstance(item, str))
    return total


def typing_seconds(kind: MessageKind | str, payload: dict[str, Any], rng: random.Random) -> float:
    """How long to show "typing..." before this message: 0 for a reaction, otherwise drawn from
    the text's length, at least MIN_TYPING_SECONDS and at most MAX_TYPING_SECONDS."""
    if MessageKind(kind) is MessageKind.REACTION:
        return 0.0
    per_character = rng.uniform(*SECONDS_PER_CHARACTER)
    seconds = typed_characters(kind, payload) * per_character
    return min(max(seconds, MIN_TYPING_SECONDS), MAX_TYPING_SECONDS)


def perform_act_human(
    engine: Engine,
    chat_id: str,
    seconds: float,
    sleep: Callable[[float], None] = time.sleep,
) -> float:
    """Mark `chat_id` seen, show typing for `seconds`, stop typing; returns the seconds waited.

    Whatever the engine cannot do is skipped. A failing call is logged and never fails the
    message: acting human is a courtesy. Without typing nothing is waited, so the caller's
    pacing alone decides when the message goes out.
    """
    capabilities = engine.capabilities
    if Capability.SEEN in capabilities:
        _try(engine.send_seen, chat_id)
    if Capability.TYPING not in capabilities or seconds <= 0:
        return 0.0
    if not _try(engine.start_typing, chat_id):
        return 0.0
    try:
        sleep(seconds)
    finally:
        _try(engine.stop_typing, chat_id)
    return seconds


def _try(call: Callable[[str], None], chat_id: str) -> bool:
    try:
        call(chat_id)
    except EngineError as exc:
        logger.info("Acting human: %s failed for a chat: %s", call.__name__, exc.message)
        return False
    return True

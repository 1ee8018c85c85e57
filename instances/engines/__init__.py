"""The gateway engines Switchboard can drive, by the key an instance stores."""

from __future__ import annotations

import httpx

from instances.engines.base import Engine, EngineConfig
from instances.engines.chatapi import ChatApiEngine
from instances.engines.messagepro import MessageProEngine
from instances.engines.waha import WahaEngine
from instances.engines.wawp import WawpEngine
from instances.engines.whautochat import WhautoChatEngine

ENGINES: dict[str, type[Engine]] = {
    "waha": WahaEngine,
    "wawp": WawpEngine,
    "messagepro": MessageProEngine,
    "chatapi": ChatApiEngine,
    "whautochat": WhautoChatEngine,
}

ENGINE_CHOICES: list[tuple[str, str]] = [(key, engine.label) for key, engine in ENGINES.items()]


def get_engine_class(key: str) -> type[Engine]:
    try:
        return ENGINES[key]
    except KeyError:
        raise ValueError(f"Unknown engine: {key!r}") from None


def get_engine(
    config: EngineConfig, key: str, transport: httpx.BaseTransport | None = None
) -> Engine:
    """A ready engine for one instance; pass `transport` to talk to a mock in tests."""
    return get_engine_class(key)(config, transport=transport)

"""Pytest plugin: the companion simulators (`chatapi_sim`, `whautochat_sim`) on free loopback
ports. Registered in tests/conftest.py next to `tests.simulator_fixture`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from instances.simulator.chatapi import ChatApiSimulator
from instances.simulator.whautochat import WhautoChatSimulator

CHATAPI_TOKEN = "test-chatapi-token"
CHATAPI_INSTANCE = "4242"
WHAUTOCHAT_KEY = "test-whautochat-key"


@pytest.fixture
def chatapi_sim() -> Iterator[ChatApiSimulator]:
    """A chat-api account that shows a QR code until `scan()`."""
    with ChatApiSimulator(token=CHATAPI_TOKEN, instance=CHATAPI_INSTANCE) as sim:
        yield sim


@pytest.fixture
def whautochat_sim() -> Iterator[WhautoChatSimulator]:
    with WhautoChatSimulator(api_key=WHAUTOCHAT_KEY) as sim:
        yield sim

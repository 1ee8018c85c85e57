from __future__ import annotations

import pytest
import respx

from instances.engines.base import EngineConfig
from instances.engines.messagepro import MessageProEngine
from tests.instances.engines.messagepro.gateway import BASE, INSTANCE, TOKEN


@pytest.fixture
def api():
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        yield mock


@pytest.fixture
def engine(api):
    with MessageProEngine(EngineConfig(base_url=BASE, api_key=TOKEN, session=INSTANCE)) as engine:
        yield engine

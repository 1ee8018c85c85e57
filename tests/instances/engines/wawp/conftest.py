from __future__ import annotations

import pytest
import respx

from instances.engines.base import EngineConfig
from instances.engines.wawp import WawpEngine
from tests.instances.engines.wawp.gateway import BASE, INSTANCE, TOKEN


@pytest.fixture
def api():
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        yield mock


@pytest.fixture
def engine(api):
    config = EngineConfig(base_url=BASE, api_key=TOKEN, session=INSTANCE)
    with WawpEngine(config) as engine:
        yield engine

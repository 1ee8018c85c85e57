"""One configured engine per instance per process, so senders and pollers reuse its connections.

An engine is rebuilt when anything it was configured from changes (engine, address, key,
session, webhook), which is noticed on the next `engine_for` call: every process reads the
instance row fresh, so no cross-process invalidation is needed.
"""

from __future__ import annotations

import threading

from instances.engines import get_engine
from instances.engines.base import Engine, EngineConfig
from instances.models import Instance

_engines: dict[int, tuple[tuple, Engine]] = {}
_lock = threading.Lock()


def engine_config(instance: Instance) -> EngineConfig:
    """What the engine needs, secrets decrypted only here, in memory."""
    return EngineConfig(
        base_url=instance.base_url,
        api_key=instance.api_key,
        session=instance.session_name,
        webhook_url=instance.webhook_url,
        webhook_secret=instance.webhook_secret,
    )


def engine_for(instance: Instance) -> Engine:
    """The shared engine of a saved instance. Callers must not close it.

    For an unsaved instance (a form being tested) use `fresh_engine` and close it after.
    """
    if instance.pk is None:
        raise ValueError("engine_for needs a saved instance; use fresh_engine for a draft.")
    config = engine_config(instance)
    fingerprint = (instance.engine, config)
    with _lock:
        cached = _engines.get(instance.pk)
        if cached is not None and cached[0] == fingerprint:
            return cached[1]
        engine = get_engine(config, instance.engine)
        _engines[instance.pk] = (fingerprint, engine)
    if cached is not None:
        cached[1].close()
    return engine


def fresh_engine(instance: Instance) -> Engine:
    """A private engine for settings that may never be saved; close it (use `with`)."""
    return get_engine(engine_config(instance), instance.engine)


def forget_engine(instance_id: int) -> None:
    """Close and drop a deleted instance's engine."""
    with _lock:
        cached = _engines.pop(instance_id, None)
    if cached is not None:
        cached[1].close()

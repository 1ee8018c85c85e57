"""API keys kept per process, never staler than a version number in the shared cache.

Reading a key's row was a quarter of an API send's CPU (docs/benchmarks.md, "REST API sends").
Every change to a key (saved, revoked, deleted, its instances changed) bumps the version when it
is made and again once it is committed; each request reads the version first and uses the key
this process kept only when it was kept under that same version. So an edited or revoked key
takes effect from the next request in every process, as when each request read the row. The
version is read in the round trip that counts the request's rate (api/auth.py).

The second bump covers a request that read the first one's version and then the row before
the change was committed: what it kept is dropped by the bump after the commit.
"""

from __future__ import annotations

import secrets

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from api.models import ApiKey

VERSION_KEY = "api-keys-version"
# Keys are few; a process that somehow saw more starts again rather than grow.
MAX_KEPT = 1000

_kept: dict[str, tuple[int, ApiKey]] = {}


def kept_key(token_hash: str, version: int | None) -> ApiKey | None:
    entry = _kept.get(token_hash)
    if entry is None or version is None or entry[0] != version:
        return None
    return entry[1]


def keep(token_hash: str, version: int | None, key: ApiKey) -> None:
    """Keep a key read under `version`; None means the cache lost the version (restarted,
    cleared): then a new random one is started, under which no process kept anything, and
    nothing is kept this time."""
    if version is None:
        cache.add(VERSION_KEY, secrets.randbits(48), timeout=None)
        return
    if len(_kept) >= MAX_KEPT:
        _kept.clear()
    _kept[token_hash] = (version, key)


def keys_changed(**kwargs) -> None:
    _bump()
    transaction.on_commit(_bump)


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # lost by the cache: any new version will do
        cache.add(VERSION_KEY, secrets.randbits(48), timeout=None)


def connect() -> None:
    post_save.connect(keys_changed, sender=ApiKey, dispatch_uid="api-keys-saved")
    post_delete.connect(keys_changed, sender=ApiKey, dispatch_uid="api-keys-deleted")
    m2m_changed.connect(
        keys_changed, sender=ApiKey.instances.through, dispatch_uid="api-key-instances-changed"
    )

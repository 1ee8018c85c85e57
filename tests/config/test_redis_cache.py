"""The Redis cache used with REDIS_URL works as Django's does, on one client per pool."""

from __future__ import annotations

import uuid

import pytest

from config.redis_cache import SharedClientRedisCache, count_and_read


@pytest.fixture
def cache():
    cache = SharedClientRedisCache("redis://127.0.0.1:6379/9", {"KEY_PREFIX": uuid.uuid4().hex})
    yield cache
    cache.delete_many(["rate", "lease", "version"])


def test_values_and_counters_round_trip(cache):
    assert cache.add("rate", 0, timeout=60)
    assert not cache.add("rate", 5, timeout=60)
    assert cache.incr("rate") == 1
    cache.set("lease", {"worker": "a"}, timeout=60)
    assert cache.get("lease") == {"worker": "a"}
    assert cache.get("missing") is None


def test_every_call_shares_one_client(cache):
    assert cache._cache.get_client(write=True) is cache._cache.get_client(write=True)


def test_a_counter_counts_in_its_window_and_expires_from_its_first_count(cache):
    cache.set("version", 7)
    counted = [count_and_read(cache, "rate", 60, "version") for _ in range(3)]
    assert counted == [(1, 7), (2, 7), (3, 7)]
    client = cache._cache.get_client(write=True)
    ttl = client.ttl(cache.make_and_validate_key("rate"))
    assert 0 < ttl <= 60
    assert cache.get("rate") == 3


def test_the_default_cache_proxy_counts_in_one_round_trip(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.redis_cache.SharedClientRedisCache",
            "LOCATION": "redis://127.0.0.1:6379/9",
            "KEY_PREFIX": uuid.uuid4().hex,
        }
    }
    from django.core.cache import cache as default_cache

    client = default_cache._cache.get_client(write=True)
    sets_before = client.info("commandstats").get("cmdstat_set", {}).get("calls", 0)
    counted = [count_and_read(default_cache, "rate", 60, "missing") for _ in range(3)]
    assert counted == [(1, None), (2, None), (3, None)]
    assert client.info("commandstats").get("cmdstat_set", {}).get("calls", 0) == sets_before
    default_cache.delete("rate")

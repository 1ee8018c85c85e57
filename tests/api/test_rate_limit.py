"""Each key has its own request budget per minute; past it, 429 with Retry-After."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_key_past_its_limit_is_told_when_to_come_back(call, make_key, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    token, other = make_key(), make_key()
    answers = [call("get", "profiles", token=token) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    limited = answers[-1]
    assert limited.json()["error"]["code"] == "RATE_LIMITED"
    assert 1 <= int(limited["Retry-After"]) <= 61
    assert call("get", "profiles", token=other).status_code == 200

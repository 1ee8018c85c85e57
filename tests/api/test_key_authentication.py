"""Only a valid, live key gets in, through either header seed 002 names."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import ApiKey
from api.services import create_api_key, revoke_api_key

pytestmark = pytest.mark.django_db


def assert_unauthorized(response, message: str) -> None:
    assert response.status_code == 401
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == "UNAUTHORIZED"
    assert message in body["error"]["message"]


def test_a_call_without_a_key_is_told_how_to_authenticate(call):
    assert_unauthorized(call("get", "profiles"), "X-API-Key")


def test_a_wrong_key_is_refused(call, make_key):
    make_key()
    assert_unauthorized(call("get", "profiles", token="sb_not-a-key"), "not valid")


def test_a_revoked_key_is_refused(call):
    key, token = create_api_key("Old CRM", "operator")
    revoke_api_key(key)
    assert_unauthorized(call("get", "profiles", token=token), "revoked")


def test_an_expired_key_is_refused(call):
    _key, token = create_api_key(
        "Trial", "operator", expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert_unauthorized(call("get", "profiles", token=token), "expired")


def test_the_key_works_in_x_api_key_and_as_a_bearer_token(call, make_key, sales):
    token = make_key()
    by_header = call("get", "profiles", token=token)
    by_bearer = call("get", "profiles", HTTP_AUTHORIZATION=f"Bearer {token}")
    for response in (by_header, by_bearer):
        assert response.status_code == 200
        assert response.json()["data"][0]["name"] == "Sales"


def test_the_same_routes_answer_under_the_seeds_base_url(call, make_key, sales):
    response = call("get", "/api/profiles", token=make_key())
    assert response.status_code == 200
    assert response.json()["success"] is True


def test_use_is_recorded_on_the_key(call, make_key):
    token = make_key()
    call("get", "profiles", token=token)
    assert ApiKey.objects.get().last_used_at is not None


def test_only_a_hash_of_the_token_is_stored(make_key):
    token = make_key()
    key = ApiKey.objects.get()
    assert token not in (key.secret_hash, key.prefix)
    assert token.startswith(key.prefix)

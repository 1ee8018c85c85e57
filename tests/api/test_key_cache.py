"""A process keeps the keys it has read, but every change to a key (revoked, edited, deleted,
its instances changed) takes effect from the next request, as when each request read the row."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.key_cache import VERSION_KEY
from api.models import ApiKey
from api.services import create_api_key, revoke_api_key
from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db


def key_reads(queries) -> list[str]:
    return [query["sql"] for query in queries if 'FROM "api_apikey"' in query["sql"]]


def use(call, token: str) -> None:
    """A few requests, so that this process keeps the key (the first one starts a version)."""
    for _ in range(3):
        assert call("get", "profiles", token=token).status_code == 200


def test_a_key_used_again_is_not_read_again_while_no_key_changed(call, make_key, sales):
    token = make_key()
    use(call, token)
    with CaptureQueriesContext(connection) as queries:
        assert call("get", "profiles", token=token).status_code == 200
    assert key_reads(queries.captured_queries) == []


def test_a_revoked_key_is_refused_on_the_very_next_request(call):
    key, token = create_api_key("CRM", "operator")
    use(call, token)
    revoke_api_key(ApiKey.objects.get(pk=key.pk))
    assert call("get", "profiles", token=token).status_code == 401


def test_a_role_changed_in_the_admin_applies_on_the_next_request(call, sales):
    key, token = create_api_key("CRM", "operator")
    body = {"profileId": str(sales.uuid), "chatId": "+4915123456789", "content": {"text": "Hi"}}
    use(call, token)
    assert call("post", "messages/text", token=token, json=body).status_code == 201
    key.role = "read_only"
    key.save()
    assert call("post", "messages/text", token=token, json=body).status_code == 403


def test_a_restriction_added_later_hides_the_other_instances_at_once(call, sales):
    key, token = create_api_key("CRM", "operator")
    support = InstanceFactory(name="Support")
    use(call, token)
    assert len(call("get", "profiles", token=token).json()["data"]) == 2
    key.restricted = True
    key.save()
    key.instances.set([support])
    names = [profile["name"] for profile in call("get", "profiles", token=token).json()["data"]]
    assert names == ["Support"]


def test_a_deleted_key_is_refused(call):
    key, token = create_api_key("CRM", "operator")
    use(call, token)
    key.delete()
    assert call("get", "profiles", token=token).status_code == 401


def test_a_lost_version_reads_the_row_again(call, make_key, sales):
    token = make_key()
    use(call, token)
    cache.delete(VERSION_KEY)
    ApiKey.objects.update(revoked_at="2020-01-01T00:00:00Z")  # no signal: only the row says it
    assert call("get", "profiles", token=token).status_code == 401

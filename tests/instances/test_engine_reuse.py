"""One configured engine per instance per process: reused by every caller, rebuilt on change."""

from __future__ import annotations

import pytest

from instances.engine_cache import engine_for, forget_engine, fresh_engine
from instances.engines.http import shared_ssl_context
from instances.engines.waha import WahaEngine
from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db


def test_every_caller_gets_the_same_engine_and_connection_pool():
    instance = InstanceFactory()

    first = engine_for(instance)
    again = engine_for(type(instance).objects.get(pk=instance.pk))

    assert again is first
    assert again.client is first.client


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("base_url", "http://127.0.0.1:3999"),
        ("api_key", "another-key-0002"),
        ("session_name", "renamed"),
    ],
)
def test_changing_the_instance_settings_builds_a_new_engine_and_closes_the_old(field, value):
    instance = InstanceFactory()
    old = engine_for(instance)
    old_client = old.client

    setattr(instance, field, value)
    instance.save()
    new = engine_for(instance)

    assert new is not old
    assert getattr(new.config, "session" if field == "session_name" else field) == value
    assert old_client.is_closed


def test_a_forgotten_instance_gets_a_new_engine():
    instance = InstanceFactory()
    old = engine_for(instance)

    forget_engine(instance.pk)

    assert engine_for(instance) is not old


def test_an_unsaved_instance_gets_a_private_engine_only():
    draft = InstanceFactory.build()

    with pytest.raises(ValueError, match="fresh_engine"):
        engine_for(draft)
    with fresh_engine(draft) as engine:
        assert isinstance(engine, WahaEngine)


def test_building_an_engine_opens_no_client_until_the_first_request():
    engine = engine_for(InstanceFactory())

    assert "client" not in engine.__dict__


def test_parsing_a_webhook_needs_no_engine_at_all():
    body = b'{"event": "session.status", "payload": {"status": "WORKING"}}'

    (event,) = WahaEngine.parse_webhook({}, body)

    assert event.data.status == "WORKING"


def test_every_client_shares_one_ssl_context():
    one, two = InstanceFactory(), InstanceFactory()

    context = shared_ssl_context()

    assert engine_for(one).client._transport._pool._ssl_context is context
    assert engine_for(two).client._transport._pool._ssl_context is context

from __future__ import annotations

import pytest
from django.core.cache import cache

from accounts.roles import Role
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    # The database cache outlives a test's transaction on SQLite's shared connection.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def admin(db):
    return UserFactory(username="ada", role=Role.ADMIN)


@pytest.fixture
def operator(db):
    return UserFactory(username="otto", role=Role.OPERATOR)


@pytest.fixture
def agent(db):
    return UserFactory(username="agnes", role=Role.AGENT)


@pytest.fixture
def outsider(db):
    """Signed in, but with no role."""
    return UserFactory(username="oscar")


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login

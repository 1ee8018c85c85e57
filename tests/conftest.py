from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache

from accounts.roles import Role
from api.outgoing.events import forget_subscribers
from tests.factories import UserFactory

pytest_plugins = ["tests.simulator_fixture", "tests.companion_fixture"]


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    # PBKDF2 is slow on purpose; the tests create many users and gain nothing from it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache(request):
    # The cache lives in a database table that tests with a live server do not roll back;
    # a throttle counter left by one test must not leak into the next.
    uses_db = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if uses_db:
        request.getfixturevalue(
            "db" if "live_server" not in request.fixturenames else "transactional_db"
        )
        cache.clear()
    # Each process remembers the webhook subscribers; a rolled-back test's must not linger.
    forget_subscribers()
    yield


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

from __future__ import annotations

import pytest

from accounts.roles import KeyRole
from api.services import create_api_key
from tests.factories import InstanceFactory


@pytest.fixture
def sales(db):
    return InstanceFactory(name="Sales")


@pytest.fixture
def make_key(db):
    """make_key(role, instances=...) -> token."""

    def make(role: str = KeyRole.OPERATOR, **kwargs) -> str:
        return create_api_key("Test key", role, **kwargs)[1]

    return make


@pytest.fixture
def call(client):
    """call(method, path, token=..., json=...) against /api/v1/ with the key in X-API-Key."""

    def request(method: str, path: str, token: str | None = None, json=None, **headers):
        if token is not None:
            headers.setdefault("HTTP_X_API_KEY", token)
        kwargs = {"content_type": "application/json"} if json is not None else {}
        data = json if json is not None else None
        url = path if path.startswith("/") else f"/api/v1/{path}"
        if data is None:
            return getattr(client, method)(url, **headers)
        return getattr(client, method)(url, data, **kwargs, **headers)

    return request

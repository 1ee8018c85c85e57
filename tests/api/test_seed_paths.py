"""Every path of seed 002's endpoint tables answers, under `/api/v1/` and `/api/`, to both of its
authentication headers, and refuses a call without a key with the envelope."""

from __future__ import annotations

import re
import uuid

import pytest

from api.rest import api

pytestmark = pytest.mark.django_db

# The seed's tables (../shared/seeds/002_067f609db670e11b.txt, 7.4), `:name` as `{}`.
SEED_OPERATIONS = [
    ("post", "/messages/text"),
    ("post", "/messages/image"),
    ("post", "/messages/video"),
    ("post", "/messages/document"),
    ("post", "/messages/location"),
    ("post", "/messages/contact"),
    ("post", "/messages/poll"),
    ("post", "/bulk/send"),
    ("get", "/bulk/batches"),
    ("get", "/bulk/batch/{}"),
    ("post", "/bulk/batch/{}/cancel"),
    ("get", "/groups/profile/{}"),
    ("get", "/groups/{}"),
    ("post", "/groups"),
    ("patch", "/groups/{}"),
    ("post", "/groups/{}/participants/add"),
    ("post", "/groups/{}/participants/remove"),
    ("post", "/groups/{}/participants/promote"),
    ("post", "/groups/{}/participants/demote"),
    ("post", "/groups/{}/leave"),
    ("get", "/groups/{}/invite-link"),
    ("get", "/profiles"),
    ("post", "/profiles"),
    ("get", "/profiles/{}"),
    ("delete", "/profiles/{}"),
    ("post", "/profiles/{}/connect"),
    ("get", "/profiles/{}/qr"),
    ("post", "/profiles/{}/disconnect"),
    ("get", "/contacts"),
    ("post", "/contacts"),
    ("get", "/contacts/{}"),
    ("patch", "/contacts/{}"),
    ("delete", "/contacts/{}"),
    ("post", "/contacts/{}/tags"),
    ("get", "/webhooks"),
    ("post", "/webhooks"),
    ("delete", "/webhooks/{}"),
]


def documented_operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema(path_prefix="")
    return {
        (method, re.sub(r"\{[^}]+\}", "{}", path))
        for path, methods in schema["paths"].items()
        for method in methods
    }


def test_the_document_has_every_seed_operation():
    missing = set(SEED_OPERATIONS) - documented_operations()
    assert not missing, f"not in /api/v1/openapi.json: {sorted(missing)}"


@pytest.fixture
def admin_token(make_key):
    return make_key("admin")


@pytest.mark.parametrize("base", ["/api/v1", "/api"])
@pytest.mark.parametrize(("method", "path"), SEED_OPERATIONS)
def test_without_a_key_the_answer_is_the_unauthorized_envelope(client, base, method, path):
    url = base + path.replace("{}", str(uuid.uuid4()))
    response = getattr(client, method)(url, {}, content_type="application/json")
    assert response.status_code == 401, response.content
    assert response.json()["success"] is False
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


@pytest.mark.parametrize(("method", "path"), SEED_OPERATIONS)
def test_both_headers_authenticate(client, admin_token, method, path):
    """Ids that name nothing: both ways get the same answer, past authentication."""
    url = "/api" + path.replace("{}", str(uuid.uuid4()))
    answers = []
    for header in (
        {"HTTP_X_API_KEY": admin_token},
        {"HTTP_AUTHORIZATION": f"Bearer {admin_token}"},
    ):
        response = getattr(client, method)(url, {}, content_type="application/json", **header)
        assert response.status_code not in (401, 405, 500), response.content
        assert response.json()["success"] is (response.status_code < 400)
        answers.append((response.status_code, response.json().get("error", {}).get("code")))
    assert answers[0] == answers[1]

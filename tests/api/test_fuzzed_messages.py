"""Whatever is posted to the message endpoints, the answer is the envelope and never a 5xx."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.messages import KINDS

pytestmark = pytest.mark.django_db

PATHS = [f"/api/v1/messages/{path}" for path, _kind, _content in KINDS]
scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = ["profileId", "chatId", "content", "priority", "sendAt"]
CONTENT_KEYS = [
    "text",
    "url",
    "caption",
    "latitude",
    "longitude",
    "vcard",
    "name",
    "options",
    "multipleAnswers",
    "title",
    "description",
    "buttonText",
    "sections",
    "messageId",
    "emoji",
    "imageUrl",
    "base64",
    "filename",
    "linkPreview",
    "replyTo",
]
bodies = st.fixed_dictionaries(
    {},
    optional={
        "profileId": st.just("PROFILE") | st.text(max_size=70),
        "chatId": st.sampled_from(["+4915123456789", "1@g.us", ""]) | st.text(max_size=30),
        "content": st.dictionaries(st.sampled_from(CONTENT_KEYS), json_values, max_size=6)
        | json_values,
        "priority": st.integers(-1000, 1000) | json_values,
        "sendAt": st.sampled_from(["2031-01-01T00:00:00Z", "2031-01-01T00:00:00", "x"])
        | json_values,
    },
)


@pytest.fixture
def token(make_key):
    return make_key()


raw_bodies = st.binary(max_size=200).map(lambda raw: raw.decode("latin-1"))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=st.sampled_from(PATHS), body=bodies | json_values, raw=st.none() | raw_bodies)
def test_no_body_makes_the_api_fail(client, token, sales, path, body, raw):
    if isinstance(body, dict) and body.get("profileId") == "PROFILE":
        body["profileId"] = str(sales.uuid)
    data = raw if raw is not None else json.dumps(body)
    response = client.post(path, data, content_type="application/json", HTTP_X_API_KEY=token)
    assert response.status_code < 500, response.content[:300]
    envelope = response.json()
    if response.status_code == 201:
        assert envelope["success"] is True and envelope["data"]["id"]
    else:
        assert envelope["success"] is False
        assert envelope["error"]["code"] in {"VALIDATION_ERROR", "NOT_FOUND"}, envelope

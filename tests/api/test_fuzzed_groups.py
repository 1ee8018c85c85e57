"""Whatever is sent to the group endpoints, the answer is the envelope and never a 5xx, with
the profile's number linked on the simulator so that valid requests reach the engine."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from instances.models import Instance
from tests.simulator_fixture import SIMULATOR_TEST_API_KEY

pytestmark = pytest.mark.django_db

GROUP_IDS = st.sampled_from(["120363000000000001@g.us", "1-2@g.us", "x", "%40g.us"]) | st.text(
    alphabet="0123456789-@gus.x", max_size=30
)
POSTS = st.sampled_from(
    [
        "",
        "/{group}/participants/add",
        "/{group}/participants/remove",
        "/{group}/participants/promote",
        "/{group}/participants/demote",
        "/{group}/leave",
    ]
)
scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=30)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4), max_leaves=8)
people = st.lists(
    st.sampled_from(["+4917612345678", "4917612345678@c.us", "1@g.us", "+1", ""])
    | st.text(max_size=20),
    max_size=4,
)
bodies = st.fixed_dictionaries(
    {},
    optional={
        "profileId": st.just("PROFILE") | st.text(max_size=70),
        "name": st.text(max_size=120) | values,
        "subject": st.text(max_size=120) | values,
        "description": st.text(max_size=40) | values,
        "participants": people | values,
    },
)


@pytest.fixture
def linked(simulator):
    simulator.state.create_session("default", None, start=True)
    simulator.state.scan("default", phone="15550001234")
    return Instance.objects.create(
        name="Phone one",
        engine="waha",
        base_url=simulator.url,
        session_name="default",
        api_key=SIMULATOR_TEST_API_KEY,
    )


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    method=st.sampled_from(["post", "patch"]),
    path=POSTS,
    group=GROUP_IDS,
    body=bodies | values,
)
def test_no_body_makes_the_group_api_fail(client, make_key, linked, method, path, group, body):
    if isinstance(body, dict) and body.get("profileId") == "PROFILE":
        body["profileId"] = str(linked.uuid)
    if method == "patch":
        path = "/{group}"
    url = "/api/v1/groups" + path.format(group=group)

    response = getattr(client, method)(
        url, json.dumps(body), content_type="application/json", HTTP_X_API_KEY=make_key()
    )

    assert response.status_code < 500, response.content[:300]
    envelope = response.json()
    assert envelope["success"] is (response.status_code < 300), envelope


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.sampled_from(["/{group}", "/{group}/invite-link", "/profile/{profile}"]),
    group=GROUP_IDS,
    profile=st.just("PROFILE") | st.text(max_size=70),
    query=st.dictionaries(
        st.sampled_from(["profileId", "page", "limit"]),
        st.just("PROFILE") | st.text(max_size=20) | st.integers().map(str),
        max_size=3,
    ),
)
def test_no_query_makes_the_group_api_fail(client, make_key, linked, path, group, profile, query):
    def named(value: str) -> str:
        return str(linked.uuid) if value == "PROFILE" else value

    url = "/api/v1/groups" + path.format(group=quote(group), profile=quote(named(profile)))
    params = {key: named(value) for key, value in query.items()}

    response = client.get(url, params, HTTP_X_API_KEY=make_key())

    assert response.status_code < 500, response.content[:300]
    envelope = response.json()
    assert envelope["success"] is (response.status_code < 300), envelope

"""A key manages a profile's WhatsApp groups on the simulator, through the waha engine."""

from __future__ import annotations

import pytest

from instances.models import Instance
from tests.factories import InstanceFactory
from tests.simulator_fixture import SIMULATOR_TEST_API_KEY, both_profiles

pytestmark = pytest.mark.django_db

ME = "15550001234"
ANNA = "4917612345678"
BEN = "4917699999999"


@pytest.fixture
def phone_one(simulator):
    """A profile whose session on the simulator is linked (WORKING) as +1 555 000 1234."""
    if simulator.state.has_session("default"):  # WAHA Core 2024 has it from the start
        simulator.state.start_session("default")
    else:
        simulator.state.create_session("default", None, start=True)
    simulator.state.scan("default", phone=ME)
    return Instance.objects.create(
        name="Phone one",
        engine="waha",
        base_url=simulator.url,
        session_name="default",
        api_key=SIMULATOR_TEST_API_KEY,
    )


@pytest.fixture
def operator(make_key):
    return make_key("operator")


@pytest.fixture
def group_id(call, operator, phone_one):
    body = {"profileId": str(phone_one.uuid), "name": "Team", "participants": [f"+{ANNA}"]}
    response = call("post", "groups", token=operator, json=body)
    assert response.status_code == 201, response.content
    return response.json()["data"]["id"]


def roles(data):
    return {p["phone"]: p["role"] for p in data["participants"]}


def subjects(simulator):
    return {group.subject for group in simulator.state.groups_of("default").values()}


@both_profiles
def test_a_group_is_created_with_its_members_and_description(call, operator, phone_one, simulator):
    body = {
        "profileId": str(phone_one.uuid),
        "name": "Team",
        "participants": [f"+{ANNA}", f"{BEN}@c.us"],
        "description": "Weekly plans",
    }

    response = call("post", "groups", token=operator, json=body)

    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert data["id"].endswith("@g.us")
    assert (data["subject"], data["description"]) == ("Team", "Weekly plans")
    assert data["owner"] == f"{ME}@c.us"
    assert data["participants"] == [
        {"id": f"{ME}@c.us", "phone": f"+{ME}", "role": "superadmin"},
        {"id": f"{ANNA}@c.us", "phone": f"+{ANNA}", "role": "member"},
        {"id": f"{BEN}@c.us", "phone": f"+{BEN}", "role": "member"},
    ]
    assert list(simulator.state.groups_of("default")) == [data["id"]]


def test_groups_are_listed_and_read_with_a_read_only_key(call, make_key, phone_one, group_id):
    token = make_key("read_only")

    listed = call("get", f"groups/profile/{phone_one.uuid}", token=token)
    one = call("get", f"groups/{group_id}?profileId={phone_one.uuid}", token=token)

    assert listed.status_code == 200, listed.content
    assert [group["id"] for group in listed.json()["data"]] == [group_id]
    assert listed.json()["meta"] | {"timestamp": None} == {
        "timestamp": None,
        "page": 1,
        "limit": 25,
        "total": 1,
        "totalPages": 1,
    }
    assert one.json()["data"]["subject"] == "Team"
    assert roles(one.json()["data"]) == {f"+{ME}": "superadmin", f"+{ANNA}": "member"}


def test_subject_and_description_are_changed(call, operator, phone_one, group_id, simulator):
    body = {"profileId": str(phone_one.uuid), "subject": "Team 2", "description": "Plans"}

    response = call("patch", f"groups/{group_id}", token=operator, json=body)

    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert (data["subject"], data["description"]) == ("Team 2", "Plans")
    assert subjects(simulator) == {"Team 2"}


@both_profiles
def test_participants_are_added_promoted_demoted_and_removed(call, operator, phone_one, group_id):
    def act(action, *people):
        body = {"profileId": str(phone_one.uuid), "participants": list(people)}
        response = call(
            "post", f"groups/{group_id}/participants/{action}", token=operator, json=body
        )
        assert response.status_code == 200, response.content
        return roles(response.json()["data"])

    assert act("add", f"{BEN}@c.us")[f"+{BEN}"] == "member"
    assert act("promote", f"+{BEN}")[f"+{BEN}"] == "admin"
    assert act("demote", f"+{BEN}")[f"+{BEN}"] == "member"
    assert act("remove", f"+{BEN}", f"+{ANNA}") == {f"+{ME}": "superadmin"}


def test_the_invite_link_is_whatsapp_s_address_with_the_group_s_code(
    call, operator, phone_one, group_id, simulator
):
    response = call(
        "get", f"groups/{group_id}/invite-link?profileId={phone_one.uuid}", token=operator
    )

    assert response.status_code == 200, response.content
    code = simulator.state.groups_of("default")[group_id].invite_code
    assert response.json()["data"] == {
        "groupId": group_id,
        "code": code,
        "link": f"https://chat.whatsapp.com/{code}",
    }


@both_profiles
def test_after_leaving_the_group_is_gone_for_this_number(
    call, operator, phone_one, group_id, simulator
):
    left = call(
        "post", f"groups/{group_id}/leave", token=operator, json={"profileId": str(phone_one.uuid)}
    )
    again = call("get", f"groups/{group_id}?profileId={phone_one.uuid}", token=operator)

    assert left.status_code == 200, left.content
    assert left.json()["data"] == {"id": group_id, "profileId": str(phone_one.uuid), "left": True}
    assert simulator.state.groups_of("default") == {}
    assert again.status_code == 404
    assert again.json()["error"]["code"] == "NOT_FOUND"


@both_profiles
def test_an_unknown_group_is_not_found(call, operator, phone_one):
    response = call(
        "get", f"groups/120363000000000001@g.us?profileId={phone_one.uuid}", token=operator
    )

    assert response.status_code == 404
    assert response.json() == {
        "success": False,
        "error": {"code": "NOT_FOUND", "message": "This profile's number is in no such group."},
    }


def test_a_read_only_key_cannot_change_a_group_or_read_its_invite_link(
    call, make_key, phone_one, group_id, simulator
):
    token = make_key("read_only")
    profile = str(phone_one.uuid)

    renamed = call(
        "patch", f"groups/{group_id}", token=token, json={"profileId": profile, "subject": "X"}
    )
    created = call(
        "post",
        "groups",
        token=token,
        json={"profileId": profile, "name": "X", "participants": [f"+{BEN}"]},
    )
    invite = call("get", f"groups/{group_id}/invite-link?profileId={profile}", token=token)

    for response in (renamed, created, invite):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "FORBIDDEN"
    assert subjects(simulator) == {"Team"}


def test_a_key_restricted_to_another_profile_does_not_see_the_group(
    call, make_key, phone_one, group_id
):
    token = make_key("operator", instances=[InstanceFactory(name="Other")])

    response = call("get", f"groups/{group_id}?profileId={phone_one.uuid}", token=token)

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("engine", "label"), [("whautochat", "WhautoChat (cloud)"), ("chatapi", "chat-api (legacy)")]
)
def test_a_profile_whose_gateway_has_no_groups_api_is_told_so(call, operator, engine, label):
    profile = InstanceFactory(engine=engine)

    response = call("get", f"groups/profile/{profile.uuid}", token=operator)

    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "VALIDATION_ERROR",
        "message": f"This profile's gateway ({label}) has no groups API.",
    }


def test_a_session_that_is_not_working_is_an_engine_error(call, operator, phone_one, simulator):
    simulator.state.stop_session("default")

    response = call("get", f"groups/profile/{phone_one.uuid}", token=operator)

    assert response.status_code == 502
    assert response.json()["error"]["code"] == "ENGINE_ERROR"
    assert "start it first" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("groups", {"name": "T", "participants": ["+4917612345678", "hello"]}, "participants.1"),
        ("groups", {"name": "T", "participants": ["120363000000000001@g.us"]}, "participants.0"),
        ("groups", {"name": "T" * 101, "participants": ["+4917612345678"]}, "name"),
        ("groups", {"name": "T", "participants": ["+4917612345678"] * 51}, "participants"),
        ("groups", {"name": "T", "participants": []}, "participants"),
        ("groups/GROUP/participants/add", {"participants": []}, "participants"),
        ("groups/GROUP/participants/add", {"participants": ["+1"]}, "participants.0"),
        ("groups/not-a-group/leave", {}, "groupId"),
    ],
)
def test_bad_input_is_refused_by_field_before_the_engine_is_asked(
    call, operator, phone_one, group_id, simulator, path, body, field
):
    before = simulator.state.groups_of("default")
    body = {"profileId": str(phone_one.uuid), **body}

    response = call("post", path.replace("GROUP", group_id), token=operator, json=body)

    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["message"].startswith(f"{field}:")
    assert simulator.state.groups_of("default") == before


def test_an_update_without_subject_or_description_is_refused(call, operator, phone_one, group_id):
    response = call(
        "patch", f"groups/{group_id}", token=operator, json={"profileId": str(phone_one.uuid)}
    )

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "Give a subject, a description or both."

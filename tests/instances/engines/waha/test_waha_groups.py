"""The waha engine drives WAHA's groups API: paths, bodies, and each engine's answer shape."""

from __future__ import annotations

import pytest

from instances.engines.base import (
    NO_SUCH_GROUP,
    GroupParticipant,
    GroupRole,
    NotFoundError,
    PermanentError,
)
from tests.instances.engines.waha.conftest import API_KEY, CHAT, body_of

GROUP = "120363025246125486@g.us"
ME = "4915112345678"
# Baileys' group metadata, as NOWEB answers it (WAHA's session.noweb.core.ts returns it as is).
NOWEB_GROUP = {
    "id": GROUP,
    "subject": "Team",
    "subjectOwner": f"{ME}@s.whatsapp.net",
    "subjectTime": 1700000000,
    "creation": 1700000000,
    "owner": f"{ME}@s.whatsapp.net",
    "desc": "Weekly plans",
    "restrict": False,
    "announce": False,
    "size": 3,
    "participants": [
        {"id": f"{ME}@s.whatsapp.net", "admin": "superadmin"},
        {"id": "4917612345678@s.whatsapp.net", "admin": "admin"},
        {"id": "4917699999999@s.whatsapp.net", "admin": None},
    ],
}
# A whatsapp-web.js GroupChat, as WEBJS answers it.
WEBJS_GROUP = {
    "id": {"server": "g.us", "user": "120363025246125486", "_serialized": GROUP},
    "name": "Team",
    "isGroup": True,
    "groupMetadata": {
        "id": {"_serialized": GROUP},
        "owner": {"_serialized": f"{ME}@c.us"},
        "subject": "Team",
        "desc": "Weekly plans",
        "participants": [
            {"id": {"_serialized": f"{ME}@c.us"}, "isAdmin": True, "isSuperAdmin": True},
            {"id": {"_serialized": CHAT}, "isAdmin": True, "isSuperAdmin": False},
            {"id": {"_serialized": "4917699999999@c.us"}, "isAdmin": False},
        ],
    },
}
PARTICIPANTS = (
    GroupParticipant(f"{ME}@c.us", GroupRole.SUPERADMIN),
    GroupParticipant(CHAT, GroupRole.ADMIN),
    GroupParticipant("4917699999999@c.us", GroupRole.MEMBER),
)


@pytest.mark.parametrize("answer", [NOWEB_GROUP, WEBJS_GROUP], ids=["noweb", "webjs"])
def test_group_info_reads_either_engines_answer(api, engine, answer):
    route = api.get(f"/api/default/groups/{GROUP}").respond(200, json=answer)

    group = engine.group_info(GROUP)

    assert route.calls.last.request.headers["X-Api-Key"] == API_KEY
    assert group.id == GROUP
    assert group.subject == "Team"
    assert group.description == "Weekly plans"
    assert group.owner == f"{ME}@c.us"
    assert group.participants == PARTICIPANTS
    assert [p.phone for p in group.participants] == [f"+{ME}", "+4917612345678", "+4917699999999"]


def test_an_unknown_group_is_not_found_even_when_noweb_answers_200_without_a_body(api, engine):
    # WAHA 2024.10 NOWEB: `groups[id]` of a group it is not in is undefined, sent as no body.
    api.get(f"/api/default/groups/{GROUP}").respond(200, content=b"")

    with pytest.raises(NotFoundError, match="no group"):
        engine.group_info(GROUP)


def test_the_group_list_reads_noweb_s_object_keyed_by_id_sorted_by_subject(api, engine):
    other = {**NOWEB_GROUP, "id": "120363000000000001@g.us", "subject": "alpha"}
    api.get("/api/default/groups").respond(200, json={GROUP: NOWEB_GROUP, other["id"]: other})

    groups = engine.list_groups()

    assert [group.subject for group in groups] == ["alpha", "Team"]
    assert groups[1].participants == PARTICIPANTS


def test_the_group_list_reads_webjs_s_chat_array_and_skips_what_is_not_a_group(api, engine):
    person = {"id": {"_serialized": CHAT}, "name": "Jonas", "isGroup": False}
    api.get("/api/default/groups").respond(200, json=[WEBJS_GROUP, person, "junk"])

    groups = engine.list_groups()

    assert [group.id for group in groups] == [GROUP]


def test_create_sends_name_and_participant_ids_and_answers_the_new_group_id(api, engine):
    route = api.post("/api/default/groups").respond(201, json=NOWEB_GROUP)

    group_id = engine.create_group("Team", ["+49 176 12345678", "4917699999999@c.us"])

    assert body_of(route) == {
        "name": "Team",
        "participants": [{"id": CHAT}, {"id": "4917699999999@c.us"}],
    }
    assert group_id == GROUP


def test_create_reads_webjs_s_gid(api, engine):
    api.post("/api/default/groups").respond(
        201, json={"title": "Team", "gid": {"_serialized": GROUP}, "participants": {}}
    )

    assert engine.create_group("Team", [CHAT]) == GROUP


def test_create_with_a_first_message_is_refused_before_asking_waha(api, engine):
    route = api.post("/api/default/groups")

    with pytest.raises(PermanentError, match="without a first message"):
        engine.create_group("Team", [CHAT], "Hello all")

    assert not route.called


def test_update_puts_subject_and_description_on_their_own_routes(api, engine):
    subject = api.put(f"/api/default/groups/{GROUP}/subject").respond(200, content=b"")
    description = api.put(f"/api/default/groups/{GROUP}/description").respond(200, text="true")

    engine.update_group(GROUP, subject="Team 2", description="")

    assert body_of(subject) == {"subject": "Team 2"}
    assert body_of(description) == {"description": ""}


def test_update_leaves_alone_what_is_not_given(api, engine):
    subject = api.put(f"/api/default/groups/{GROUP}/subject").respond(200)
    description = api.put(f"/api/default/groups/{GROUP}/description")

    engine.update_group(GROUP, subject="Team 2")

    assert subject.called and not description.called


def test_an_update_webjs_answers_false_is_refused(api, engine):
    api.put(f"/api/default/groups/{GROUP}/subject").respond(200, text="false")

    with pytest.raises(PermanentError, match="may not be an admin"):
        engine.update_group(GROUP, subject="Team 2")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("add_participants", "participants/add"),
        ("remove_participants", "participants/remove"),
        ("promote_participants", "admin/promote"),
        ("demote_participants", "admin/demote"),
    ],
)
def test_participant_changes_post_participant_ids(api, engine, method, path):
    route = api.post(f"/api/default/groups/{GROUP}/{path}").respond(
        201, json=[{"status": "200", "jid": "4917612345678@s.whatsapp.net"}]
    )

    getattr(engine, method)(GROUP, ["+4917612345678"])

    assert body_of(route) == {"participants": [{"id": CHAT}]}


def test_leave_posts_to_the_group_s_leave_route(api, engine):
    route = api.post(f"/api/default/groups/{GROUP}/leave").respond(201)

    engine.leave_group(GROUP)

    assert route.called


def test_the_invite_code_comes_as_bare_text_and_becomes_a_link(api, engine):
    # NestJS sends a returned string as it is, with a text/html content type.
    api.get(f"/api/default/groups/{GROUP}/invite-code").respond(
        200, text="Fz5bZ0x8EuA6dG4Qk1Lr2y", headers={"Content-Type": "text/html; charset=utf-8"}
    )

    invite = engine.group_invite(GROUP)

    assert invite.code == "Fz5bZ0x8EuA6dG4Qk1Lr2y"
    assert invite.link == "https://chat.whatsapp.com/Fz5bZ0x8EuA6dG4Qk1Lr2y"


def test_an_invite_answer_that_is_no_code_is_refused(api, engine):
    api.get(f"/api/default/groups/{GROUP}/invite-code").respond(200, text="<html>oops</html>")

    with pytest.raises(PermanentError, match="no invite code"):
        engine.group_invite(GROUP)


def test_a_group_id_cannot_escape_its_path_segment(api, engine):
    route = api.get("/api/default/groups/..%2Fsessions%40g.us").respond(200, json={})

    with pytest.raises(NotFoundError):
        engine.group_info("../sessions@g.us")

    assert route.called


def test_a_404_on_a_group_route_names_the_group(api, engine):
    api.post(f"/api/default/groups/{GROUP}/leave").respond(
        404, json={"statusCode": 404, "message": "Group not found", "error": "Not Found"}
    )

    with pytest.raises(NotFoundError) as caught:
        engine.leave_group(GROUP)

    assert caught.value.code == NO_SUCH_GROUP


def test_a_404_for_a_session_that_is_not_running_stays_about_the_session(api, engine):
    api.get(f"/api/default/groups/{GROUP}/invite-code").respond(
        404, json={"statusCode": 404, "message": "We didn't find a session with name 'default'."}
    )

    with pytest.raises(NotFoundError) as caught:
        engine.group_invite(GROUP)

    assert caught.value.code != NO_SUCH_GROUP
    assert "session" in caught.value.message


def test_a_route_the_server_lacks_is_not_mistaken_for_an_unknown_group(api, engine):
    api.get(f"/api/default/groups/{GROUP}/invite-code").respond(
        404,
        json={"statusCode": 404, "message": f"Cannot GET /api/default/groups/{GROUP}/invite-code"},
    )

    with pytest.raises(NotFoundError) as caught:
        engine.group_invite(GROUP)

    assert caught.value.code != NO_SUCH_GROUP

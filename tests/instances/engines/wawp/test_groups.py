"""Wawp groups: seed 001's `/v2/groups` routes, with the answers its reference shows."""

from __future__ import annotations

import pytest

from instances.engines.base import GroupParticipant, GroupRole, NotFoundError
from tests.instances.engines.wawp.gateway import AUTH, CHAT, body_of, query_of

GROUP = "1234567890@g.us"


def test_the_list_is_read_from_v2_groups_with_the_credentials_in_the_query(api, engine):
    route = api.get("/v2/groups").respond(
        200, json=[{"id": GROUP, "name": "Project Team", "participants": []}]
    )

    groups = engine.list_groups()

    assert query_of(route) == AUTH
    assert [(group.id, group.subject) for group in groups] == [(GROUP, "Project Team")]


def test_create_posts_to_v2_groups_create(api, engine):
    route = api.post("/v2/groups/create").respond(201, json={"id": GROUP, "name": "New Project"})

    group_id = engine.create_group("New Project", ["+20 101 234 5678"])

    assert body_of(route) == {"name": "New Project", "participants": [{"id": CHAT}]}
    assert group_id == GROUP


def test_group_info_adds_the_participants_its_group_answer_leaves_out(api, engine):
    api.get(f"/v2/groups/{GROUP}").respond(
        200, json={"id": GROUP, "name": "Project Alpha", "description": "Main coordination group"}
    )
    api.get(f"/v2/groups/{GROUP}/participants").respond(
        200, json=[{"id": CHAT, "isAdmin": True, "isSuperAdmin": False}]
    )

    group = engine.group_info(GROUP)

    assert (group.subject, group.description) == ("Project Alpha", "Main coordination group")
    assert group.participants == (GroupParticipant(CHAT, GroupRole.ADMIN),)


def test_promote_posts_to_the_admin_route(api, engine):
    route = api.post(f"/v2/groups/{GROUP}/admin/promote").respond(200, json={"ok": True})

    engine.promote_participants(GROUP, [CHAT])

    assert body_of(route) == {"participants": [{"id": CHAT}]}
    assert query_of(route) == AUTH


def test_the_invite_code_is_read_from_its_code_field(api, engine):
    api.get(f"/v2/groups/{GROUP}/invite-code").respond(200, json={"code": "ABC123XYZ"})

    assert engine.group_invite(GROUP).link == "https://chat.whatsapp.com/ABC123XYZ"


def test_an_unknown_instance_stays_a_session_error_on_a_group_route(api, engine):
    api.post(f"/v2/groups/{GROUP}/leave").respond(
        404,
        json={
            "code": "invalid_session",
            "message": "Session not found. Please verify your instance_id or session_name.",
        },
    )

    with pytest.raises(NotFoundError) as caught:
        engine.leave_group(GROUP)

    assert caught.value.code == "invalid_session"

"""The simulator's groups routes answer as WAHA on NOWEB does, with state per session."""

from __future__ import annotations

ME = "15550001234"
MEMBER = "4917612345678"


def create(api, name="Team", members=(MEMBER,)):
    body = {"name": name, "participants": [{"id": f"{m}@c.us"} for m in members]}
    response = api.post("/api/default/groups", json=body)
    assert response.status_code == 201
    return response.json()


def test_a_new_group_has_its_creator_as_superadmin_and_the_members(link_session, api):
    link_session(phone=f"+{ME}")

    group = create(api)

    assert group["id"].endswith("@g.us")
    assert group["subject"] == "Team"
    assert group["owner"] == f"{ME}@s.whatsapp.net"
    assert group["participants"] == [
        {"id": f"{ME}@s.whatsapp.net", "admin": "superadmin"},
        {"id": f"{MEMBER}@s.whatsapp.net", "admin": None},
    ]
    listed = api.get("/api/default/groups").json()
    assert list(listed) == [group["id"]]
    assert api.get(f"/api/default/groups/{group['id']}").json() == group


def test_subject_and_description_change(link_session, api):
    link_session()
    group_id = create(api)["id"]

    subject = api.put(f"/api/default/groups/{group_id}/subject", json={"subject": "Team 2"})
    description = api.put(
        f"/api/default/groups/{group_id}/description", json={"description": "Plans"}
    )

    assert (subject.status_code, subject.content) == (200, b"")
    assert description.status_code == 200
    group = api.get(f"/api/default/groups/{group_id}").json()
    assert (group["subject"], group["desc"]) == ("Team 2", "Plans")


def test_participants_are_added_promoted_demoted_and_removed(link_session, api):
    link_session(phone=f"+{ME}")
    group_id = create(api, members=())["id"]
    path = f"/api/default/groups/{group_id}"
    body = {"participants": [{"id": f"{MEMBER}@c.us"}]}

    added = api.post(f"{path}/participants/add", json=body)
    api.post(f"{path}/admin/promote", json=body)
    promoted = api.get(f"{path}/participants").json()
    api.post(f"{path}/admin/demote", json=body)
    demoted = api.get(f"{path}/participants").json()
    api.post(f"{path}/participants/remove", json=body)
    removed = api.get(f"{path}/participants").json()

    assert added.status_code == 201
    assert added.json() == [{"status": "200", "jid": f"{MEMBER}@s.whatsapp.net"}]
    assert promoted[1] == {"id": f"{MEMBER}@s.whatsapp.net", "admin": "admin"}
    assert demoted[1] == {"id": f"{MEMBER}@s.whatsapp.net", "admin": None}
    assert removed == [{"id": f"{ME}@s.whatsapp.net", "admin": "superadmin"}]


def test_per_participant_statuses_say_what_could_not_be_done(link_session, api):
    link_session(phone=f"+{ME}")
    path = f"/api/default/groups/{create(api)['id']}"

    again = api.post(f"{path}/participants/add", json={"participants": [{"id": f"{MEMBER}@c.us"}]})
    creator = api.post(f"{path}/admin/demote", json={"participants": [{"id": f"{ME}@c.us"}]})

    assert again.json()[0]["status"] == "409"
    assert creator.json()[0]["status"] == "403"


def test_the_invite_code_is_bare_text_and_stays_the_same(link_session, api):
    link_session()
    group_id = create(api)["id"]

    first = api.get(f"/api/default/groups/{group_id}/invite-code")
    second = api.get(f"/api/default/groups/{group_id}/invite-code")

    assert first.headers["Content-Type"].startswith("text/html")
    assert len(first.text) == 22 and first.text.isalnum()
    assert second.text == first.text


def test_leaving_takes_the_group_out_of_the_list(link_session, api):
    link_session()
    group_id = create(api)["id"]

    left = api.post(f"/api/default/groups/{group_id}/leave")

    assert left.status_code == 201
    assert api.get("/api/default/groups").json() == {}
    assert api.get(f"/api/default/groups/{group_id}").status_code == 404


def test_an_unknown_group_is_a_404_and_bad_bodies_are_400(link_session, api):
    link_session()
    group_id = create(api)["id"]

    unknown = api.get("/api/default/groups/999@g.us/invite-code")
    no_name = api.post("/api/default/groups", json={"participants": []})
    bad_ids = api.post(
        f"/api/default/groups/{group_id}/participants/add", json={"participants": ["x", {}]}
    )
    no_subject = api.put(f"/api/default/groups/{group_id}/subject", json={"subject": 5})

    assert unknown.json() == {"statusCode": 404, "message": "Group not found", "error": "Not Found"}
    assert no_name.status_code == 400 and no_name.json()["message"] == ["name must be a string"]
    assert bad_ids.json()["message"] == [
        "participants.0.id must be a phone number or a chat id",
        "participants.1.id must be a phone number or a chat id",
    ]
    assert no_subject.json()["message"] == ["subject must be a string"]


def test_groups_need_a_working_session_and_belong_to_it(link_session, api):
    link_session()
    create(api)
    api.post("/api/sessions", json={"name": "idle"})
    link_session("other", phone="+15550009999")

    not_working = api.get("/api/idle/groups")

    assert not_working.status_code == 422
    assert api.get("/api/other/groups").json() == {}

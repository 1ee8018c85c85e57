from __future__ import annotations


def test_a_number_on_whatsapp_exists_with_its_chat_id(link_session, api):
    link_session()

    response = api.get(
        "/api/contacts/check-exists", params={"phone": "+1 555 000 4444", "session": "default"}
    )

    assert response.json() == {"numberExists": True, "chatId": "15550004444@c.us"}


def test_numbers_ending_in_0000_are_not_on_whatsapp(link_session, api):
    link_session()

    response = api.get(
        "/api/contacts/check-exists", params={"phone": "15550000000", "session": "default"}
    )

    # WAHA leaves chatId out when the number does not exist.
    assert response.json() == {"numberExists": False}


def test_check_exists_needs_a_phone_and_a_working_session(link_session, api):
    api.post("/api/sessions", json={"name": "idle"})
    link_session()

    no_phone = api.get("/api/contacts/check-exists", params={"session": "default"})
    not_working = api.get(
        "/api/contacts/check-exists", params={"phone": "15550004444", "session": "idle"}
    )

    assert no_phone.status_code == 400
    assert not_working.status_code == 422

"""Wawp QR, pairing code and number checks."""

from __future__ import annotations

from tests.instances.engines.wawp.gateway import (
    AUTH,
    body_of,
    query_of,
)

# Login and contacts.


def test_qr_decodes_the_base64_json_document_to_the_qr_string(api, engine):
    route = api.get("/v2/auth/qr").respond(
        200,
        json={
            "mimetype": "application/json; charset=utf-8",
            "data": "eyJ2YWx1ZSI6IjJAR0JoWWtpTkV1U0tpeXpIeVVOYy9RQi9lTnhpSkJWSE96bGhOQ1daRERvRUZy"
            "OEhDWEhxTENKdEVpZHh6WWoxWkpqRzZ4K2NOaFVlVGlZeUJHWExJQzU1Z2ppKzRHQ2VyakRvPSIsImV4cGlyeSI6"
            "MTIzNDU2Nzg5MH0=",
        },
    )

    qr = engine.qr()

    assert qr.value == (
        "2@GBhYkiNEuSKiyzHyUNc/QB/eNxiJBVHOzlhNCWZDDoEFr8HCXHqLCJtEidxzYj1ZJjG6x+cNhUeTiYyBGXLIC55gji+4GCerjDo="
    )
    assert query_of(route) == AUTH


def test_qr_falls_back_to_the_qr_image_when_the_raw_answer_is_unreadable(api, engine):
    api.get("/v2/auth/qr").respond(200, text="Success: Operation completed successfully.")
    api.get("/v2/auth/qr-image").respond(200, json={"qr": "data:image/png;base64,iVBORw0KGgo="})

    qr = engine.qr()

    assert qr.png == b"\x89PNG\r\n\x1a\n"
    assert qr.value == ""


def test_pairing_code_posts_the_phone_number_in_the_body(api, engine):
    route = api.post("/v2/auth/request-code").respond(200, json={"code": "ABCD-1234"})

    assert engine.pairing_code("+20 114 520 2826") == "ABCD-1234"
    assert body_of(route) == {"phone_number": "201145202826"}
    assert query_of(route) == AUTH


def test_check_exists_asks_with_the_phone_digits(api, engine):
    route = api.get("/v2/contacts/check-exists").respond(
        200, json={"exists": True, "jid": "1234567890@c.us"}
    )

    result = engine.check_exists("+1 234 567 890")

    assert query_of(route) == {**AUTH, "phone": "1234567890"}
    assert result.exists is True
    assert result.chat_id == "1234567890@c.us"

"""Every message kind's rules, shared by the compose form, the inbox and the API."""

from __future__ import annotations

import pytest

from instances.outbound import OutboundValidationError
from instances.outbound.validation import clean_payload

ROW = {"id": "r1", "title": "Small"}
LIST = {
    "title": "Menu",
    "description": "Pick a size",
    "button_text": "Sizes",
    "sections": [{"title": "Pizza", "rows": [ROW]}],
}


def errors_of(kind, payload) -> dict[str, list[str]]:
    with pytest.raises(OutboundValidationError) as caught:
        clean_payload(kind, payload)
    return caught.value.errors


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("text", {"text": "Hallo", "link_preview": False}),
        ("image", {"url": "https://cdn.test/a.jpg", "caption": "A"}),
        ("document", {"url": "https://cdn.test/a.pdf", "filename": "a.pdf"}),
        ("video", {"url": "https://cdn.test/a.mp4"}),
        ("voice", {"url": "https://cdn.test/a.ogg"}),
        ("location", {"latitude": 52.52, "longitude": -13.4, "title": "Berlin"}),
        ("contact", {"vcard": "BEGIN:VCARD\nVERSION:3.0\nFN:Ada\nEND:VCARD"}),
        ("poll", {"name": "Lunch?", "options": ["Yes", "No"], "multiple": True}),
        ("list", LIST),
        ("link_preview", {"url": "https://example.com", "text": "Look"}),
        ("reaction", {"message_id": "true_1@c.us_AAA", "emoji": "👍"}),
    ],
)
def test_a_well_formed_payload_of_each_kind_is_accepted(kind, payload):
    assert clean_payload(kind, payload)


@pytest.mark.parametrize(
    ("kind", "payload", "field", "says"),
    [
        ("text", {}, "text", "required"),
        ("text", {"text": "   "}, "text", "required"),
        ("text", {"text": "x" * 4097}, "text", "At most 4096"),
        ("text", {"text": 5}, "text", "Must be text"),
        ("text", {"text": "a\x00b"}, "text", "NUL"),
        ("text", {"text": "hi", "link_preview": "yes"}, "link_preview", "true or false"),
        ("image", {"url": "ftp://cdn.test/a.jpg"}, "url", "http or https"),
        ("image", {"url": "https://cdn.test/a.jpg", "caption": "x" * 2001}, "caption", "2000"),
        ("document", {}, "url", "required"),
        ("location", {"latitude": 91, "longitude": 0}, "latitude", "between -90 and 90"),
        ("location", {"latitude": 0, "longitude": -180.5}, "longitude", "between -180 and 180"),
        ("location", {"latitude": "north", "longitude": 0}, "latitude", "number"),
        ("location", {"latitude": float("nan"), "longitude": 0}, "latitude", "number"),
        ("contact", {"vcard": "Ada Lovelace"}, "vcard", "vCard"),
        ("poll", {"name": "Q", "options": ["only one"]}, "options", "2 to 12"),
        ("poll", {"name": "Q", "options": [str(n) for n in range(13)]}, "options", "2 to 12"),
        ("poll", {"name": "Q", "options": ["Yes", "Yes"]}, "options", "differ"),
        ("poll", {"name": "Q", "options": ["Yes", ""]}, "options.1", "non-empty"),
        ("poll", {"options": ["Yes", "No"]}, "name", "required"),
        ("list", {**LIST, "title": "x" * 61}, "title", "At most 60"),
        ("list", {**LIST, "footer": "x" * 61}, "footer", "At most 60"),
        ("list", {**LIST, "button_text": "x" * 21}, "button_text", "At most 20"),
        ("list", {**LIST, "description": "x" * 1025}, "description", "At most 1024"),
        ("list", {**LIST, "sections": []}, "sections", "at least one section"),
        ("list", {**LIST, "sections": [{"title": "S", "rows": []}]}, "sections.0.rows", "one row"),
        (
            "list",
            {**LIST, "sections": [{"title": "S", "rows": [{"id": "r", "title": "x" * 61}]}]},
            "sections.0.rows.0.title",
            "At most 60",
        ),
        (
            "list",
            {**LIST, "sections": [{"title": "S", "rows": [{"id": "x" * 201, "title": "t"}]}]},
            "sections.0.rows.0.id",
            "At most 200",
        ),
        ("link_preview", {"text": "no link"}, "url", "required"),
        ("reaction", {"emoji": "👍"}, "message_id", "required"),
        ("text", "not an object", "payload", "object"),
    ],
)
def test_each_rule_names_the_field_it_refuses(kind, payload, field, says):
    errors = errors_of(kind, payload)

    assert field in errors, errors
    assert any(says in message for message in errors[field]), errors[field]


def test_every_problem_is_reported_at_once():
    errors = errors_of("list", {"title": "x" * 61, "sections": []})

    assert {"title", "description", "button_text", "sections"} <= set(errors)


def test_an_unknown_kind_is_refused_by_name():
    assert "kind" in errors_of("sticker", {"url": "https://cdn.test/a.webp"})


def test_cleaning_keeps_only_known_fields_and_trims_poll_options():
    cleaned = clean_payload("poll", {"name": "Q", "options": [" Yes ", "No"], "evil": "<b>"})

    assert cleaned == {"name": "Q", "options": ["Yes", "No"], "multiple": False}

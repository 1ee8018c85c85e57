"""`/contacts/...`: the contact pages' list, form and actions, through an API key."""

from __future__ import annotations

import pytest

from campaigns.models import Contact
from tests.factories import ContactFactory, TagFactory

pytestmark = pytest.mark.django_db


def data_of(response, status: int = 200):
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert body["success"] is True
    return body["data"]


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert body["success"] is False
    return body["error"]


@pytest.fixture
def ada(db):
    return ContactFactory(
        phone="+4915123456789",
        name="Ada",
        custom_fields={"city": "Berlin"},
        tags=[TagFactory(name="vip")],
    )


def test_a_contact_is_read_in_the_seed_shape(call, make_key, ada):
    data = data_of(call("get", f"contacts/{ada.pk}", token=make_key("read_only")))
    assert data | {"createdAt": None, "updatedAt": None} == {
        "id": str(ada.pk),
        "phone": "+4915123456789",
        "chatId": "4915123456789@c.us",
        "name": "Ada",
        "customFields": {"city": "Berlin"},
        "tags": ["vip"],
        "optedOut": False,
        "optedOutAt": None,
        "createdAt": None,
        "updatedAt": None,
    }


def test_contacts_are_listed_a_page_at_a_time(call, make_key, django_assert_max_num_queries):
    for name in ("Dora", "Bea", "Cleo", "Abe", "Emil"):
        ContactFactory(name=name, tags=[TagFactory()])
    token = make_key("read_only")
    call("get", "contacts", token=token)  # the key's first use is recorded once
    # Key, its instances, the rate counter in the database cache, then count, page, tags.
    with django_assert_max_num_queries(18):
        response = call("get", "contacts?page=2&limit=2", token=token)
    body = response.json()
    assert [contact["name"] for contact in body["data"]] == ["Cleo", "Dora"]
    assert body["meta"] | {"timestamp": None} == {
        "timestamp": None,
        "page": 2,
        "limit": 2,
        "total": 5,
        "totalPages": 3,
    }


def test_contacts_are_found_by_name_number_tag_and_opt_out(call, make_key, ada):
    ContactFactory(name="Bob", phone="+4917612345678", opted_out=True)
    token = make_key()

    def names(query: str) -> list[str]:
        return [
            contact["name"] for contact in data_of(call("get", f"contacts?{query}", token=token))
        ]

    assert names("search=ad") == ["Ada"]
    assert names("search=176%201234") == ["Bob"]
    assert names("tag=VIP") == ["Ada"]
    assert names("tag=nobody-has-this") == []
    assert names("optedOut=true") == ["Bob"]
    assert names("optedOut=false&search=b") == []


def test_a_page_past_the_last_is_empty(call, make_key, ada):
    body = call("get", "contacts?page=9", token=make_key()).json()
    assert body["data"] == []
    assert body["meta"]["total"] == 1


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=101", "page=0", "search=" + "x" * 101, "search=a%00", "tag=%00"]
)
def test_list_parameters_out_of_bounds_are_refused(call, make_key, query):
    assert error_of(call("get", f"contacts?{query}", token=make_key()), 422)["code"] == (
        "VALIDATION_ERROR"
    )


def test_a_contact_is_created_with_its_number_in_e164(call, make_key, settings):
    settings.DEFAULT_PHONE_REGION = "DE"
    body = {
        "phone": "0151 2345 6789",
        "name": "Ada",
        "customFields": {"city": "Berlin", "customer_id": "42"},
        "tags": ["vip", "Berlin"],
    }

    data = data_of(call("post", "contacts", token=make_key(), json=body), 201)

    contact = Contact.objects.get()
    assert data["id"] == str(contact.pk)
    assert (contact.phone, contact.name) == ("+4915123456789", "Ada")
    assert contact.custom_fields == {"city": "Berlin", "customer_id": "42"}
    assert sorted(tag.name for tag in contact.tags.all()) == ["Berlin", "vip"]


def test_a_bearer_token_creates_a_contact_too(client, make_key):
    response = client.post(
        "/api/v1/contacts",
        {"phone": "+4915123456789"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {make_key()}",
    )
    assert data_of(response, 201)["phone"] == "+4915123456789"


def test_a_number_already_known_is_a_conflict(call, make_key, ada):
    error = error_of(
        call("post", "contacts", token=make_key(), json={"phone": "+49 151 23456789"}), 409
    )
    assert error["code"] == "CONFLICT"
    assert error["message"] == f"+4915123456789 is already the number of contact {ada.pk}."
    assert Contact.objects.count() == 1


def test_an_invalid_number_is_refused_with_the_reason(call, make_key):
    error = error_of(call("post", "contacts", token=make_key(), json={"phone": "12"}), 422)
    assert error["code"] == "VALIDATION_ERROR"
    assert error["message"].startswith("phone: 12 is not a valid phone number")
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"phone": "+4915123456789", "customFields": {"City": "x"}}, "customFields"),
        ({"phone": "+4915123456789", "customFields": {"note": "two\nlines"}}, "customFields"),
        ({"phone": "+4915123456789", "tags": ["a,b"]}, "tags"),
        ({"phone": "+4915123456789", "name": "x" * 201}, "name"),
        ({"phone": "+4915123456789", "unknown": 1}, "unknown"),
    ],
)
def test_bad_fields_are_refused_by_name(call, make_key, body, field):
    error = error_of(call("post", "contacts", token=make_key(), json=body), 422)
    assert any(name.startswith(field) for name in error["details"])
    assert not Contact.objects.exists()


def test_an_update_changes_only_the_fields_given(call, make_key, ada):
    data = data_of(call("patch", f"contacts/{ada.pk}", token=make_key(), json={"name": "Ada L."}))
    assert (data["name"], data["customFields"], data["tags"]) == (
        "Ada L.",
        {"city": "Berlin"},
        ["vip"],
    )


def test_an_update_replaces_custom_fields_and_tags(call, make_key, ada):
    body = {"customFields": {"plan": "gold"}, "tags": ["new"]}
    call("patch", f"contacts/{ada.pk}", token=make_key(), json=body)
    ada.refresh_from_db()
    assert ada.custom_fields == {"plan": "gold"}
    assert [tag.name for tag in ada.tags.all()] == ["new"]


def test_an_update_to_another_contacts_number_is_a_conflict(call, make_key, ada):
    other = ContactFactory()
    response = call("patch", f"contacts/{other.pk}", token=make_key(), json={"phone": ada.phone})
    assert error_of(response, 409)["code"] == "CONFLICT"


def test_a_contact_is_opted_out_and_back_in(call, make_key, ada):
    token = make_key()
    out = data_of(call("patch", f"contacts/{ada.pk}", token=token, json={"optedOut": True}))
    assert out["optedOut"] is True and out["optedOutAt"]
    ada.refresh_from_db()
    assert ada.opt_out_reason == "Opted out through the API"
    back = data_of(call("patch", f"contacts/{ada.pk}", token=token, json={"optedOut": False}))
    assert (back["optedOut"], back["optedOutAt"]) == (False, None)


def test_tags_are_added_to_those_a_contact_has(call, make_key, ada):
    data = data_of(
        call("post", f"contacts/{ada.pk}/tags", token=make_key(), json={"tags": ["VIP", "new"]})
    )
    assert sorted(data["tags"]) == ["new", "vip"]


def test_no_tags_to_add_is_refused(call, make_key, ada):
    response = call("post", f"contacts/{ada.pk}/tags", token=make_key(), json={"tags": []})
    assert error_of(response, 422)["code"] == "VALIDATION_ERROR"


def test_a_contact_is_deleted(call, make_key, ada):
    data = data_of(call("delete", f"contacts/{ada.pk}", token=make_key()))
    assert data == {"id": str(ada.pk), "deleted": True}
    assert not Contact.objects.exists()


@pytest.mark.parametrize("contact_id", ["999999", "abc", "1" * 40, "-1"])
def test_an_unknown_contact_is_not_found(call, make_key, contact_id):
    assert error_of(call("get", f"contacts/{contact_id}", token=make_key()), 404)["code"] == (
        "NOT_FOUND"
    )


def test_a_read_only_key_reads_contacts_but_changes_none(call, make_key, ada):
    token = make_key("read_only")
    assert call("get", "contacts", token=token).status_code == 200
    refused = [
        call("post", "contacts", token=token, json={"phone": "+4917612345678"}),
        call("patch", f"contacts/{ada.pk}", token=token, json={"name": "X"}),
        call("post", f"contacts/{ada.pk}/tags", token=token, json={"tags": ["x"]}),
        call("delete", f"contacts/{ada.pk}", token=token),
    ]
    assert [error_of(response, 403)["code"] for response in refused] == ["FORBIDDEN"] * 4
    ada.refresh_from_db()
    assert ada.name == "Ada"
    assert Contact.objects.count() == 1


def test_no_key_is_unauthorized(call):
    assert error_of(call("get", "contacts"), 401)["code"] == "UNAUTHORIZED"

"""Adding and editing one contact, and opting it out or back in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from campaigns.models import Contact
from tests.factories import ContactFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_a_contact_is_added_with_its_number_in_e164(client_for, operator, settings):
    settings.DEFAULT_PHONE_REGION = "DE"

    response = client_for(operator).post(
        reverse("contacts:create"),
        {
            "phone": "0151 2345 6789",
            "name": "Ada",
            "tags_text": "vip, Berlin",
            "fields_text": "city: Berlin\ncustomer_id: 42",
        },
    )

    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.phone, contact.name) == ("+4915123456789", "Ada")
    assert contact.custom_fields == {"city": "Berlin", "customer_id": "42"}
    assert sorted(contact.tags.values_list("name", flat=True)) == ["Berlin", "vip"]


def test_without_a_default_region_a_national_number_is_refused(client_for, operator, settings):
    settings.DEFAULT_PHONE_REGION = ""

    response = client_for(operator).post(reverse("contacts:create"), {"phone": "030 12345678"})

    assert response.status_code == 200
    assert "Include the country code" in response.content.decode()
    assert not Contact.objects.exists()


def test_a_number_that_is_already_a_contact_is_refused(client_for, operator):
    ContactFactory(phone="+4915123456789", name="Ada")

    response = client_for(operator).post(reverse("contacts:create"), {"phone": "+49151 23456789"})

    assert "+4915123456789 is already the number of Ada" in response.content.decode()
    assert Contact.objects.count() == 1


def test_a_malformed_custom_field_line_is_refused(client_for, operator):
    response = client_for(operator).post(
        reverse("contacts:create"), {"phone": "+4915123456789", "fields_text": "Bad Key = 1"}
    )

    assert "Line 1: write key: value" in response.content.decode()
    assert not Contact.objects.exists()


def test_editing_replaces_tags_and_fields(client_for, operator):
    contact = ContactFactory(tags=[TagFactory(name="old")], custom_fields={"a": "1"})
    client = client_for(operator)
    assert "old" in client.get(reverse("contacts:edit", args=[contact.pk])).content.decode()

    client.post(
        reverse("contacts:edit", args=[contact.pk]),
        {"phone": contact.phone, "name": "New", "tags_text": "new", "fields_text": "b: 2"},
    )

    contact.refresh_from_db()
    assert contact.name == "New"
    assert contact.custom_fields == {"b": "2"}
    assert list(contact.tags.values_list("name", flat=True)) == ["new"]


def test_a_contact_is_opted_out_with_a_reason_and_back_in(client_for, operator):
    contact = ContactFactory()
    client = client_for(operator)
    url = reverse("contacts:opt", args=[contact.pk])

    client.post(url, {"reason": "Asked by phone"})
    contact.refresh_from_db()
    assert (contact.opted_out, contact.opt_out_reason) == (True, "Asked by phone")
    assert contact.opted_out_at is not None

    client.post(url)
    contact.refresh_from_db()
    assert (contact.opted_out, contact.opted_out_at) == (False, None)


def test_opting_out_needs_a_post(client_for, operator):
    contact = ContactFactory()

    assert client_for(operator).get(reverse("contacts:opt", args=[contact.pk])).status_code == 405

"""The service functions other apps call to find, create and opt out contacts."""

from __future__ import annotations

import pytest

from campaigns.contact_services import (
    InvalidPhoneNumber,
    contact_for_phone,
    contacts_matching,
    opt_in,
    opt_out,
    record_check,
)
from campaigns.models import Contact
from tests.factories import ContactFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_contact_for_phone_creates_once_and_then_finds(settings):
    settings.DEFAULT_PHONE_REGION = "DE"

    first = contact_for_phone("0151 23456789", name="Ada")
    again = contact_for_phone("+49 151 23456789", name="Someone else")

    assert first == again
    assert (again.phone, again.name) == ("+4915123456789", "Ada")
    assert Contact.objects.count() == 1


def test_contact_for_phone_fills_a_missing_name():
    ContactFactory(phone="+4915123456789", name="")

    assert contact_for_phone("+4915123456789", name="Ada").name == "Ada"


def test_contact_for_phone_refuses_an_invalid_number():
    with pytest.raises(InvalidPhoneNumber):
        contact_for_phone("hello")


def test_opting_out_keeps_the_first_time_and_reason():
    contact = ContactFactory()

    opt_out(contact, "STOP keyword")
    first_time = contact.opted_out_at
    opt_out(contact, "again")

    contact.refresh_from_db()
    assert (contact.opted_out, contact.opt_out_reason) == (True, "STOP keyword")
    assert contact.opted_out_at == first_time
    opt_in(contact)
    contact.refresh_from_db()
    assert (contact.opted_out, contact.opt_out_reason) == (False, "")


def test_contacts_matching_any_or_all_tags_and_opt_out():
    vip, berlin = TagFactory(name="vip"), TagFactory(name="berlin")
    ada = ContactFactory(name="Ada", tags=[vip, berlin])
    bob = ContactFactory(name="Bob", tags=[vip])
    ContactFactory(name="Cleo", tags=[berlin], opted_out=True)

    assert set(contacts_matching(tags=[vip, berlin])) == set(Contact.objects.all())
    assert list(contacts_matching(tags=[vip, berlin], all_tags=True)) == [ada]
    assert list(contacts_matching(tags=[vip.pk], search="bo")) == [bob]
    assert set(contacts_matching(opted_out=False)) == {ada, bob}


def test_a_number_check_result_is_kept_with_its_date_and_chat_id():
    contact = ContactFactory(phone="+4915123456789")

    record_check(contact, True, "4915123456789@c.us")

    contact.refresh_from_db()
    assert (contact.on_whatsapp, contact.chat_id) == (True, "4915123456789@c.us")
    assert contact.checked_at is not None

"""Importing rows: new contacts, duplicates that update, skipped rows with their reasons."""

from __future__ import annotations

import pytest

from campaigns.imports.job import import_rows
from campaigns.models import Contact, ContactImport
from tests.campaigns.contacts.imports import started, uploaded
from tests.factories import ContactFactory, TagFactory

pytestmark = pytest.mark.django_db

FILE = (
    "Phone;Name;City;Tags\n"
    "+49 151 23456789;Ada;Berlin;vip, early\n"
    "not a number;Bob;Bonn;\n"
    "0049 151 23456780;Cleo;Köln;vip\n"
    ";Nobody;Nowhere;\n"
    "+4915123456789;;Potsdam;late\n"
).encode()


def test_columns_are_guessed_from_the_header():
    assert uploaded(FILE).mapping == ["phone", "name", "field:city", "tags"]


def test_rows_become_contacts_with_fields_and_tags():
    contact_import = started(FILE, tag_all="Fair 2026")

    assert import_rows(contact_import.pk) is False

    ada = Contact.objects.get(phone="+4915123456789")
    assert ada.name == "Ada"
    # The second row for the same number updates the first; an empty name keeps the known one.
    assert ada.custom_fields == {"city": "Potsdam"}
    assert sorted(ada.tags.values_list("name", flat=True)) == ["Fair 2026", "early", "late", "vip"]
    cleo = Contact.objects.get(phone="+4915123456780")
    assert (cleo.name, cleo.custom_fields) == ("Cleo", {"city": "Köln"})
    contact_import.refresh_from_db()
    assert contact_import.status == ContactImport.Status.FINISHED
    assert (contact_import.total_rows, contact_import.rows_done) == (5, 6)
    assert (contact_import.created_count, contact_import.skipped_count) == (2, 2)


def test_skipped_rows_are_listed_with_row_number_and_reason():
    contact_import = started(FILE)
    import_rows(contact_import.pk)

    errors = list(contact_import.errors.values_list("row_number", "reason"))
    assert [number for number, _ in errors] == [3, 5]
    assert "not a number is not a valid phone number" in errors[0][1]
    assert errors[1][1] == "The phone number is missing."


def test_a_known_number_is_updated_not_duplicated():
    vip = TagFactory(name="VIP")
    ContactFactory(phone="+4915123456789", name="Old name", custom_fields={"ref": "7"}, tags=[vip])
    contact_import = started(b"phone,name,city\n+4915123456789,New name,Berlin\n")

    import_rows(contact_import.pk)

    contact = Contact.objects.get()
    assert contact.name == "New name"
    assert contact.custom_fields == {"ref": "7", "city": "Berlin"}
    assert list(contact.tags.all()) == [vip]
    contact_import.refresh_from_db()
    assert (contact_import.created_count, contact_import.updated_count) == (0, 1)


def test_tags_match_existing_ones_ignoring_case():
    TagFactory(name="VIP")

    import_rows(started(b"phone,tags\n+4915123456789,vip\n").pk)

    assert list(Contact.objects.get().tags.values_list("name", flat=True)) == ["VIP"]


def test_national_numbers_are_read_in_the_default_region(settings):
    settings.DEFAULT_PHONE_REGION = "DE"

    import_rows(started(b"phone\n0151 23456789\n").pk)

    assert Contact.objects.get().phone == "+4915123456789"


def test_an_xlsx_file_imports_like_a_csv():
    from tests.campaigns.contacts.conftest import xlsx_bytes

    contact_import = uploaded(xlsx_bytes([["Mobile", "Name"], [4915123456789, "Ada"]]), "c.xlsx")
    from campaigns.imports.services import start_import

    start_import(contact_import, contact_import.mapping)
    import_rows(contact_import.pk)

    assert Contact.objects.get().name == "Ada"


def test_an_overlong_value_skips_its_row_with_the_reason():
    contact_import = started(f"phone,note\n+4915123456789,{'x' * 1_000_000}\n".encode())

    import_rows(contact_import.pk)

    assert not Contact.objects.exists()
    assert (
        contact_import.errors.get().reason == "The value for note is longer than 1000 characters."
    )


def test_a_row_with_binary_garbage_after_the_first_bytes_is_skipped():
    data = b"phone,name\n" + b"+4915123456780,Ok\n" * 5000 + b"+4915123456789,Bad\x00name\n"
    contact_import = started(data)

    import_rows(contact_import.pk)

    assert Contact.objects.count() == 1
    assert contact_import.errors.get().reason == "A cell contains a NUL character (binary data)."


def test_the_uploaded_file_is_deleted_once_the_import_ends():
    contact_import = started(FILE)
    storage, name = contact_import.file.storage, contact_import.file.name
    assert storage.exists(name)

    import_rows(contact_import.pk)

    assert not storage.exists(name)

"""Import through the pages: upload, choose columns with a preview, follow the progress."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_q.models import OrmQ

from campaigns.contact_tasks import import_contacts
from campaigns.models import Contact, ContactImport

pytestmark = pytest.mark.django_db

FILE = b"Mobile;Name;Plan\n+49 151 23456789;Ada;gold\nwrong;Bob;silver\n"


def upload(client, data: bytes = FILE, name: str = "people.csv"):
    return client.post(reverse("contacts:import"), {"file": SimpleUploadedFile(name, data)})


def text_of(response) -> str:
    return " ".join(response.content.decode().split())


def test_an_upload_leads_to_the_columns_with_a_preview_of_each_phone(client_for, operator):
    client = client_for(operator)

    response = upload(client)

    contact_import = ContactImport.objects.get()
    assert response["Location"] == reverse("contacts:import_detail", args=[contact_import.pk])
    page = text_of(client.get(response["Location"]))
    assert "people.csv" in page
    assert "+4915123456789" in page
    assert "Skipped: wrong is not a valid phone number" in page
    assert contact_import.file.storage.exists(contact_import.file.name)


def test_a_file_that_is_no_table_is_refused_on_the_upload_form(client_for, operator):
    response = upload(client_for(operator), b"\x00\x01\x02binary", "photo.csv")

    assert response.status_code == 200
    assert "This is not a CSV file: it contains binary data." in text_of(response)
    assert not ContactImport.objects.exists()


def test_a_file_over_the_size_limit_is_refused(client_for, operator, settings):
    settings.CONTACT_IMPORT_MAX_BYTES = 1024 * 1024

    response = upload(client_for(operator), b"phone\n" + b"+4915123456789\n" * 80_000)

    assert "The file is larger than 1 MB." in text_of(response)
    assert not ContactImport.objects.exists()


def test_a_mapping_without_a_phone_column_is_refused(client_for, operator):
    client = client_for(operator)
    detail = upload(client)["Location"]

    response = client.post(
        detail, {"column_0": "skip", "column_1": "name", "column_2": "skip", "start": "1"}
    )

    assert "Choose exactly one phone column." in text_of(response)
    assert ContactImport.objects.get().status == ContactImport.Status.MAPPING


def test_starting_queues_the_import_and_the_page_shows_its_progress(
    client_for, operator, django_capture_on_commit_callbacks
):
    client = client_for(operator)
    detail = upload(client)["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            detail,
            {
                "column_0": "phone",
                "column_1": "name",
                "column_2": "field:plan",
                "tag_all": "March",
                "start": "1",
            },
        )
    assert response["Location"] == detail
    contact_import = ContactImport.objects.get()
    (task,) = OrmQ.objects.all()
    assert task.task["func"] == "campaigns.contact_tasks.import_contacts"
    assert "0 of" not in text_of(client.get(detail))

    import_contacts(contact_import.pk)

    page = text_of(client.get(detail))
    assert "Finished" in page
    assert "1 new, 0 updated, 1 skipped" in page
    contact = Contact.objects.get()
    assert (contact.name, contact.custom_fields) == ("Ada", {"plan": "gold"})
    assert list(contact.tags.values_list("name", flat=True)) == ["March"]


def test_the_progress_poll_answers_204_until_something_changes(client_for, operator):
    client = client_for(operator)
    detail = upload(client)["Location"]
    ContactImport.objects.update(status=ContactImport.Status.RUNNING, total_rows=2)
    first = client.get(detail, headers={"HX-Request": "true"})
    cursor = re.search(r"cursor=(\w+)", first.content.decode()).group(1)

    unchanged = client.get(detail, {"cursor": cursor}, headers={"HX-Request": "true"})
    ContactImport.objects.update(rows_done=3)
    changed = client.get(detail, {"cursor": cursor}, headers={"HX-Request": "true"})

    assert unchanged.status_code == 204
    assert changed.status_code == 200
    assert "100%" in text_of(changed)


def test_the_error_report_lists_skipped_rows_with_their_reasons(client_for, operator):
    client = client_for(operator)
    contact_import = ContactImport.objects.get(pk=_imported(client))

    response = client.get(reverse("contacts:import_errors", args=[contact_import.pk]))

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["row", "reason"]
    assert rows[1][0] == "3"
    assert "wrong is not a valid phone number" in rows[1][1]


def test_an_import_that_started_cannot_be_started_again(client_for, operator):
    client = client_for(operator)
    pk = _imported(client)

    response = client.post(
        reverse("contacts:import_detail", args=[pk]), {"column_0": "phone", "start": "1"}
    )

    assert response.status_code == 302
    assert Contact.objects.count() == 1


def _imported(client) -> int:
    detail = upload(client)["Location"]
    client.post(detail, {"column_0": "phone", "column_1": "name", "column_2": "skip", "start": "1"})
    contact_import = ContactImport.objects.get()
    import_contacts(contact_import.pk)
    return contact_import.pk

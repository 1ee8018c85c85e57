"""Exporting contacts to CSV: streamed, filtered like the list, safe in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from campaigns.contact_export import neutralised
from tests.factories import ContactFactory, TagFactory

pytestmark = pytest.mark.django_db


def exported(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_cells_that_a_spreadsheet_would_run_are_neutralised(client_for, operator):
    ContactFactory(
        phone="+4915123456789",
        name='=HYPERLINK("http://evil")',
        custom_fields={"note": "@SUM(A1)", "minus": "-2+3", "plain": "fine"},
    )

    rows = exported(client_for(operator).get(reverse("contacts:export")))

    header, row = rows
    cells = dict(zip(header, row, strict=True))
    assert cells["phone"] == "'+4915123456789"
    assert cells["name"] == '\'=HYPERLINK("http://evil")'
    assert (cells["note"], cells["minus"], cells["plain"]) == ("'@SUM(A1)", "'-2+3", "fine")


@pytest.mark.parametrize("text", ["=1", "+1", "-1", "@1", "\t=1", "\r=1"])
def test_every_formula_start_gets_an_apostrophe(text):
    assert neutralised(text) == "'" + text


def test_the_export_follows_the_list_filters(client_for, operator):
    vip = TagFactory(name="vip")
    ContactFactory(name="Ada", tags=[vip])
    ContactFactory(name="Bob")

    rows = exported(client_for(operator).get(reverse("contacts:export"), {"tag": vip.pk}))

    assert [row[1] for row in rows[1:]] == ["Ada"]
    assert rows[1][2] == "vip"


def test_an_exported_file_imports_back_to_the_same_numbers(client_for, operator):
    from campaigns.imports.job import import_rows
    from campaigns.models import Contact
    from tests.campaigns.contacts.imports import started

    ContactFactory(phone="+4915123456789", name="Ada")
    data = b"".join(client_for(operator).get(reverse("contacts:export")).streaming_content)
    Contact.objects.all().delete()

    import_rows(started(data).pk)

    assert list(Contact.objects.values_list("phone", "name")) == [("+4915123456789", "Ada")]

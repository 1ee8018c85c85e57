"""Whatever bytes are uploaded, the reader answers with rows or a clear error, nothing else."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaigns.imports.reading import UnreadableFile, iter_rows, sniff_format
from tests.campaigns.contacts.conftest import opener

# Bytes that look like CSV half of the time, so the fuzz also reaches the row parser.
csv_like = st.lists(
    st.sampled_from([b",", b";", b'"', b"\n", b"\r\n", b"+49151", b"\xc3\xa9", b"\xe9", b"a"]),
    max_size=60,
).map(b"".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=400), csv_like), st.sampled_from(["a.csv", "a.xlsx", "a"]))
def test_any_bytes_give_rows_or_a_clear_error(data, name):
    try:
        table = sniff_format(data, name)
        rows = list(iter_rows(opener(data), table))
    except UnreadableFile as exc:
        assert str(exc).endswith((".", ")")) and len(str(exc)) > 20
    else:
        assert all(isinstance(cell, str) for _, cells in rows for cell in cells)
        assert [number for number, _ in rows] == sorted({number for number, _ in rows})


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.one_of(st.binary(max_size=300), csv_like), name=st.sampled_from(["a.csv", "a.xlsx"]))
def test_uploading_any_bytes_answers_a_form_error_or_the_mapping_page(
    client_for, operator, data, name
):
    client = client_for(operator)

    response = client.post(reverse("contacts:import"), {"file": SimpleUploadedFile(name, data)})

    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert client.get(response["Location"]).status_code == 200

"""Whatever bytes are uploaded, the reader answers with rows or a clear error, nothing else."""

from __future__ import annotations

from hypothesis import given, settings
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

"""Which files the import reads, and the clear error for each one it does not."""

from __future__ import annotations

import codecs
import io
import zipfile

import pytest

from campaigns.imports.reading import UnreadableFile, iter_rows, read_header, sniff_format
from tests.campaigns.contacts.conftest import opener, xlsx_bytes


def rows_of(data: bytes, name: str = "contacts.csv") -> list[tuple[int, list[str]]]:
    table = sniff_format(data[:65536], name)
    return list(iter_rows(opener(data), table))


@pytest.mark.parametrize(
    ("data", "encoding", "delimiter"),
    [
        ("phone,name\n+4915123456789,Jürgen\n".encode(), "utf-8", ","),
        (codecs.BOM_UTF8 + "phone,name\n+4915123456789,Jürgen\n".encode(), "utf-8-sig", ","),
        ("phone;name\n+4915123456789;Jürgen\n".encode(), "utf-8", ";"),
        ("phone;name\r\n+4915123456789;Jürgen\r\n".encode("latin-1"), "latin-1", ";"),
        ("phone,name\n+4915123456789,Jürgen\n".encode("latin-1"), "latin-1", ","),
    ],
    ids=["utf8-comma", "utf8-bom", "utf8-semicolon", "latin1-semicolon-crlf", "latin1-comma"],
)
def test_each_encoding_and_separator_reads_the_same_rows(data, encoding, delimiter):
    table = sniff_format(data, "contacts.csv")

    assert (table.encoding, table.delimiter) == (encoding, delimiter)
    assert list(iter_rows(opener(data), table)) == [
        (1, ["phone", "name"]),
        (2, ["+4915123456789", "Jürgen"]),
    ]


def test_a_semicolon_file_with_commas_inside_names_keeps_its_columns():
    data = b'phone;name\n+4915123456789;"Doe, Jane"\n+4915123456780;Smith, John\n'

    assert rows_of(data)[1:] == [
        (2, ["+4915123456789", "Doe, Jane"]),
        (3, ["+4915123456780", "Smith, John"]),
    ]


def test_a_single_column_of_numbers_is_read():
    assert rows_of(b"phone\n+4915123456789\n")[1] == (2, ["+4915123456789"])


def test_blank_rows_are_skipped_but_keep_their_row_numbers():
    assert [number for number, _ in rows_of(b"phone\n\n+4915123456789\n,\n+4915123456780\n")] == [
        1,
        3,
        5,
    ]


def test_an_xlsx_sheet_is_read_with_numbers_as_digits():
    data = xlsx_bytes([["Phone", "Name", "Orders"], [4915123456789, "Ada", 3], ["0151 234", None]])

    assert rows_of(data, "contacts.xlsx") == [
        (1, ["Phone", "Name", "Orders"]),
        (2, ["4915123456789", "Ada", "3"]),
        (3, ["0151 234"]),
    ]


def test_a_row_of_a_megabyte_is_read():
    big = "x" * 1_000_000
    assert rows_of(f"phone,note\n+4915123456789,{big}\n".encode())[1][1][1] == big


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "contacts.csv", "The file is empty"),
        (b"\x00\x01\x02\x03binary\x00", "contacts.csv", "binary data"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv", "binary data"),
        ("phone\n1\n".encode("utf-16"), "contacts.csv", "UTF-16"),
        (b"PK\x03\x04garbage", "contacts.zip", "not named .xlsx"),
        (b"old excel", "contacts.xls", "not supported"),
    ],
    ids=["empty", "binary", "image", "utf16", "zip", "xls"],
)
def test_files_that_are_not_tables_get_a_clear_error(data, name, message):
    with pytest.raises(UnreadableFile, match=message):
        sniff_format(data, name)


def test_a_damaged_xlsx_gets_a_clear_error():
    table = sniff_format(b"PK\x03\x04garbage", "contacts.xlsx")

    with pytest.raises(UnreadableFile, match="cannot be read"):
        read_header(opener(b"PK\x03\x04garbage"), table)


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"\n\n", "no rows"), (b"phone,name\n", "no rows below it")],
    ids=["only-blank-lines", "header-only"],
)
def test_a_file_without_contacts_gets_a_clear_error(data, message):
    with pytest.raises(UnreadableFile, match=message):
        read_header(opener(data), sniff_format(data, "contacts.csv"))


def test_an_xlsx_with_xml_entities_is_refused_instead_of_expanded():
    # A "billion laughs" sheet: without defusedxml, openpyxl would expand it in memory.
    original = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["phone"], ["+4915123456789"]])))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w") as workbook:
        for name in original.namelist():
            content = original.read(name)
            if name == "xl/worksheets/sheet1.xml":
                entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
                    f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">' for n in range(8)
                )
                content = f"<!DOCTYPE worksheet [{entities}]>".encode() + content.replace(
                    b"+4915123456789", b"&i;"
                )
            workbook.writestr(name, content)
    data = bomb.getvalue()

    with pytest.raises(UnreadableFile, match="cannot be read"):
        rows_of(data, "bomb.xlsx")

"""Reading an uploaded table, row by row, without holding it in memory.

CSV: UTF-8 with or without a byte order mark, or Latin-1; comma or semicolon separated.
Excel: the first sheet of an .xlsx workbook, through openpyxl's read-only (streaming) mode.
The first row is the header. Rows carry spreadsheet numbers: the header is row 1.
Anything else raises `UnreadableFile` with a sentence a person can act on.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

SAMPLE_BYTES = 64 * 1024
# A cell may be large (the issue asks for a 1 MB row to be handled), but not unbounded.
MAX_FIELD_CHARS = 2 * 1024 * 1024
MAX_COLUMNS = 200
DELIMITERS = (",", ";")
XLSX_MAGIC = b"PK\x03\x04"
# Control characters no text table contains; their presence means a binary file.
BINARY_BYTES = frozenset(range(32)) - {9, 10, 13}


Opener = Callable[[], IO[bytes]]


class UnreadableFile(ValueError):
    """The file is not a table we read; the message says why and what to do."""


@dataclass(frozen=True)
class TableFormat:
    kind: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""


def sniff_format(head: bytes, name: str) -> TableFormat:
    """Decide how to read a file from its first bytes (and, for Excel, its name)."""
    if not head:
        raise UnreadableFile("The file is empty. Upload a CSV or .xlsx file with a header row.")
    if head.startswith(XLSX_MAGIC):
        if not name.lower().endswith(".xlsx"):
            raise UnreadableFile(
                "This looks like a zip or Office file but is not named .xlsx. "
                "Save it as an Excel workbook (.xlsx) or as CSV."
            )
        return TableFormat("xlsx")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableFile(
            "This file is UTF-16 text. Save it as CSV in UTF-8 and upload it again."
        )
    if name.lower().endswith((".xls", ".xlsm", ".ods", ".numbers")):
        raise UnreadableFile("This spreadsheet format is not supported. Save it as .xlsx or CSV.")
    if any(byte in BINARY_BYTES for byte in head):
        raise UnreadableFile(
            "This is not a CSV file: it contains binary data. Upload a CSV (UTF-8 or Latin-1, "
            "comma or semicolon separated) or an Excel .xlsx file."
        )
    encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    try:
        # The sample may end inside a character: only complete ones must decode.
        text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except UnicodeDecodeError:
        encoding, text = "latin-1", head.decode("latin-1")
    return TableFormat("csv", encoding, _delimiter_of(text))


def _delimiter_of(text: str) -> str:
    """The separator that splits the first lines into the most, equal, columns."""
    lines = text.splitlines()[:20]
    if len(lines) > 1 and len(text) >= SAMPLE_BYTES:
        lines = lines[:-1]  # the sample cut the last line short

    def score(delimiter: str) -> tuple[bool, int]:
        try:
            widths = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            return (False, 0)
        return (len(set(widths)) == 1, widths[0] if widths else 0)

    best = max(DELIMITERS, key=score)
    return best if score(best)[1] > 1 else ","


def check_encoding(file: IO[bytes], table: TableFormat) -> TableFormat:
    """Read the whole CSV once: a file that is not UTF-8 beyond its first bytes is Latin-1."""
    if table.kind != "csv" or table.encoding == "latin-1":
        return table
    file.seek(0)
    decoder = codecs.getincrementaldecoder(table.encoding)()
    try:
        for chunk in iter(lambda: file.read(SAMPLE_BYTES), b""):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        table = TableFormat("csv", "latin-1", table.delimiter)
    file.seek(0)
    return table


def iter_rows(open_file: Opener, table: TableFormat) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) for every row, the header (row 1) included; blank rows skipped.

    `open_file` opens the file for binary reading (from Django's storage, or a path in tests).
    """
    rows = _csv_rows(open_file, table) if table.kind == "csv" else _xlsx_rows(open_file)
    for number, cells in rows:
        if any(cell.strip() for cell in cells):
            yield number, cells


def read_header(open_file: Opener, table: TableFormat) -> list[str]:
    """The header's cell texts; an error when there is no header or no row below it."""
    rows = iter_rows(open_file, table)
    first = next(rows, None)
    if first is None:
        raise UnreadableFile("The file has no rows. Upload a file with a header row and contacts.")
    header = [cell.strip() for cell in first[1]]
    if len(header) > MAX_COLUMNS:
        raise UnreadableFile(f"The file has {len(header)} columns; at most {MAX_COLUMNS} are read.")
    if next(rows, None) is None:
        raise UnreadableFile("The file has a header but no rows below it.")
    return header


def _csv_rows(open_file: Opener, table: TableFormat) -> Iterator[tuple[int, list[str]]]:
    previous = csv.field_size_limit()
    csv.field_size_limit(MAX_FIELD_CHARS)
    try:
        with io.TextIOWrapper(open_file(), encoding=table.encoding, newline="") as text:
            reader = csv.reader(text, delimiter=table.delimiter, strict=False)
            number = 0
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise UnreadableFile(
                        f"Row {number + 1} cannot be read as CSV ({exc}). Fix it and upload again."
                    ) from exc
                except UnicodeDecodeError as exc:
                    raise UnreadableFile(
                        f"Row {number + 1} is not {table.encoding} text. Save the file as UTF-8."
                    ) from exc
                number += 1
                yield number, cells
    finally:
        csv.field_size_limit(previous)


def _xlsx_rows(open_file: Opener) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    broken = UnreadableFile(
        "This .xlsx file cannot be read. Save it again from your spreadsheet program "
        "as an Excel workbook (.xlsx), or as CSV."
    )
    file = open_file()
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        file.close()
        raise broken from exc
    try:
        if not workbook.worksheets:
            raise UnreadableFile("This workbook has no sheet.")
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        number = 0
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            # A damaged sheet fails deep inside openpyxl's XML reading with many exception
            # types; all of them mean the same thing to the person who uploaded it.
            except Exception as exc:
                raise broken from exc
            number += 1
            yield number, [_cell_text(value) for value in values]
    finally:
        workbook.close()
        file.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    # Phone numbers typed into a spreadsheet become numbers: 4915123456789.0 -> "4915123456789".
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def sample_of(file: IO[bytes]) -> bytes:
    file.seek(0)
    head = file.read(SAMPLE_BYTES)
    file.seek(0)
    return head

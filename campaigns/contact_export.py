"""Contacts and import errors as CSV, streamed row by row, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from campaigns.models import Contact, ContactImport

# Spreadsheets run a cell that starts with one of these as a formula, even in a CSV file
# (https://owasp.org/www-community/attacks/CSV_Injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000


def neutralised(value: object) -> str:
    """The cell's text, with a leading apostrophe if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file-like object whose write returns what it was given, for csv.writer to stream."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow([neutralised(cell) for cell in row])


def contact_rows(contacts: QuerySet[Contact]) -> Iterator[list[object]]:
    """A header, then one row per contact; custom fields get a column per key."""
    ordered = contacts.order_by("pk")
    # A first pass gathers the custom field keys without keeping the contacts.
    keys: set[str] = set()
    for fields in ordered.values_list("custom_fields", flat=True).iterator(chunk_size=CHUNK):
        keys.update(fields or {})
    field_keys = sorted(keys)
    yield [
        "phone",
        "name",
        "tags",
        "opted_out",
        "opted_out_at",
        "opt_out_reason",
        "on_whatsapp",
        "checked_at",
        *field_keys,
    ]
    for contact in ordered.prefetch_related("tags").iterator(chunk_size=CHUNK):
        yield [
            contact.phone,
            contact.name,
            ", ".join(tag.name for tag in contact.tags.all()),
            "yes" if contact.opted_out else "no",
            contact.opted_out_at.isoformat() if contact.opted_out_at else "",
            contact.opt_out_reason,
            {True: "yes", False: "no", None: ""}[contact.on_whatsapp],
            contact.checked_at.isoformat() if contact.checked_at else "",
            *(contact.custom_fields.get(key, "") for key in field_keys),
        ]


def error_rows(contact_import: ContactImport) -> Iterator[list[object]]:
    yield ["row", "reason"]
    errors = contact_import.errors.order_by("row_number").values_list("row_number", "reason")
    yield from errors.iterator(chunk_size=CHUNK)

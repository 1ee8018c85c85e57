"""Import actions for views and the API: receive a file, preview it, start and resume."""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django_q.tasks import async_task

from campaigns.imports.job import opener_of, table_of
from campaigns.imports.mapping import RowError, contact_row, guess_mapping, mapping_problems
from campaigns.imports.reading import (
    UnreadableFile,
    check_encoding,
    iter_rows,
    read_header,
    sample_of,
    sniff_format,
)
from campaigns.models import ContactImport

PREVIEW_ROWS = 10


@dataclass(frozen=True)
class PreviewRow:
    number: int
    cells: list[str]
    phone: str  # the E.164 number, or empty when the row is skipped
    problem: str


def receive_upload(upload: UploadedFile, user=None) -> ContactImport:
    """Check an uploaded file and keep it for the import; raises UnreadableFile."""
    limit = settings.CONTACT_IMPORT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise UnreadableFile(f"The file is larger than {limit // (1024 * 1024)} MB.")
    table = check_encoding(upload, sniff_format(sample_of(upload), upload.name or ""))
    contact_import = ContactImport(
        original_name=os.path.basename(upload.name or "contacts")[:255],
        kind=table.kind,
        encoding=table.encoding,
        delimiter=table.delimiter,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    upload.seek(0)
    contact_import.file.save(f"import.{table.kind}", upload, save=False)
    try:
        contact_import.columns = read_header(opener_of(contact_import), table)
    except UnreadableFile:
        contact_import.file.delete(save=False)
        raise
    contact_import.mapping = guess_mapping(contact_import.columns)
    contact_import.save()
    return contact_import


def preview_rows(contact_import: ContactImport, roles: list[str]) -> list[PreviewRow]:
    """The first rows with how each phone normalizes (or why the row would be skipped)."""
    rows = iter_rows(opener_of(contact_import), table_of(contact_import))
    preview = []
    for number, cells in itertools.islice(rows, 1, PREVIEW_ROWS + 1):
        try:
            phone, problem = contact_row(roles, cells).phone, ""
        except RowError as exc:
            phone, problem = "", str(exc)
        shown = [cell if len(cell) <= 80 else cell[:79] + "…" for cell in cells]
        preview.append(PreviewRow(number, shown, phone, problem))
    return preview


def start_import(contact_import: ContactImport, roles: list[str], tag_all: str = "") -> None:
    """Fix the columns' meaning and import in the background. Raises ValueError for a mapping
    that cannot be imported, or an import that already started."""
    if contact_import.status != ContactImport.Status.MAPPING:
        raise ValueError("This import has already started.")
    if problems := mapping_problems(roles, contact_import.columns):
        raise ValueError(" ".join(problems))
    contact_import.mapping = list(roles)
    contact_import.tag_all = tag_all.strip()[:60]
    contact_import.status = ContactImport.Status.QUEUED
    contact_import.save(update_fields=["mapping", "tag_all", "status"])
    _enqueue(contact_import.pk)


def resume_import(contact_import: ContactImport) -> None:
    """Go on from the last committed row (a worker died, or an import failed to continue)."""
    if contact_import.status not in (ContactImport.Status.RUNNING, ContactImport.Status.QUEUED):
        raise ValueError("Only an unfinished import can be resumed.")
    _enqueue(contact_import.pk)


def _enqueue(import_id: int) -> None:
    transaction.on_commit(
        lambda: async_task(
            "campaigns.contact_tasks.import_contacts",
            import_id,
            group=f"contact-import-{import_id}",
        )
    )

"""The import itself: batches of rows committed together with how far the import got.

`import_rows` runs for a bounded time (a django-q2 task has `timeout` seconds) and says whether
rows are left; its task then enqueues a successor. Every batch locks the import's row and goes
on only if `rows_done` is still what this run last wrote, so a second task for the same import
(a retry of a killed one, a resume pressed twice) stops instead of importing rows twice.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from campaigns.contact_services import tags_named
from campaigns.imports.mapping import ContactRow, RowError, contact_row
from campaigns.imports.reading import Opener, TableFormat, UnreadableFile, iter_rows
from campaigns.models import Contact, ContactImport, ContactImportError

BATCH_ROWS = 1000
RUN_SECONDS = 60.0
# Longer than a batch ever takes: a running import silent for this long was interrupted.
STALE_AFTER = timedelta(minutes=3)
MAX_REASON = ContactImportError._meta.get_field("reason").max_length


def table_of(contact_import: ContactImport) -> TableFormat:
    return TableFormat(contact_import.kind, contact_import.encoding, contact_import.delimiter)


def opener_of(contact_import: ContactImport) -> Opener:
    file = contact_import.file

    def open_file():
        try:
            return file.storage.open(file.name, "rb")
        except (OSError, ValueError) as exc:
            raise UnreadableFile("The uploaded file is no longer stored; upload it again.") from exc

    return open_file


def count_rows(contact_import: ContactImport) -> int:
    """Rows below the header, blank ones included like `rows_done`, for the progress bar (a
    streaming pass over the file)."""
    last = 1
    for last, _ in iter_rows(opener_of(contact_import), table_of(contact_import)):  # noqa: B007 (only the last number counts)
        pass
    return last - 1


def import_rows(
    import_id: int,
    *,
    run_seconds: float = RUN_SECONDS,
    batch_rows: int = BATCH_ROWS,
    clock: Callable[[], float] = time.monotonic,
) -> bool:
    """Import rows from where the import stands for about `run_seconds`; True if rows remain."""
    deadline = clock() + run_seconds
    contact_import = _claim(import_id)
    if contact_import is None:
        return False
    try:
        if contact_import.total_rows is None:
            contact_import.total_rows = count_rows(contact_import)
            contact_import.save(update_fields=["total_rows"])
        rows = iter_rows(opener_of(contact_import), table_of(contact_import))
        pending = itertools.dropwhile(lambda row: row[0] <= contact_import.rows_done, rows)
        while batch := list(itertools.islice(pending, batch_rows)):
            if not _commit_batch(contact_import, batch):
                return False
            if clock() >= deadline:
                return True
    except UnreadableFile as exc:
        _fail(contact_import, str(exc))
        return False
    _finish(contact_import)
    return False


def _claim(import_id: int) -> ContactImport | None:
    """The import to work on, RUNNING from now on; None when it is finished or failed."""
    now = timezone.now()
    with transaction.atomic():
        contact_import = (
            ContactImport.objects.select_for_update()
            .filter(
                pk=import_id, status__in=[ContactImport.Status.QUEUED, ContactImport.Status.RUNNING]
            )
            .first()
        )
        if contact_import is None:
            return None
        contact_import.status = ContactImport.Status.RUNNING
        contact_import.started_at = contact_import.started_at or now
        contact_import.heartbeat_at = now
        contact_import.save(update_fields=["status", "started_at", "heartbeat_at"])
    return contact_import


def _commit_batch(contact_import: ContactImport, batch: list[tuple[int, list[str]]]) -> bool:
    """Store one batch and the import's new position in one transaction; False if another
    task moved the import on (or it was stopped) meanwhile."""
    with transaction.atomic():
        current = ContactImport.objects.select_for_update().get(pk=contact_import.pk)
        if (
            current.status != ContactImport.Status.RUNNING
            or current.rows_done != contact_import.rows_done
        ):
            return False
        records, errors = _read_batch(contact_import, batch)
        created, updated = _store_contacts(records)
        ContactImportError.objects.bulk_create(
            [
                ContactImportError(
                    contact_import=contact_import, row_number=number, reason=reason[:MAX_REASON]
                )
                for number, reason in errors
            ],
            ignore_conflicts=True,
        )
        contact_import.rows_done = batch[-1][0]
        contact_import.created_count += created
        contact_import.updated_count += updated
        contact_import.skipped_count += len(errors)
        contact_import.heartbeat_at = timezone.now()
        contact_import.save(
            update_fields=[
                "rows_done",
                "created_count",
                "updated_count",
                "skipped_count",
                "heartbeat_at",
            ]
        )
    return True


def _read_batch(
    contact_import: ContactImport, batch: Iterable[tuple[int, list[str]]]
) -> tuple[dict[str, ContactRow], list[tuple[int, str]]]:
    """Rows by phone (a phone twice in the batch: later values win, tags add up) and errors."""
    records: dict[str, ContactRow] = {}
    errors = []
    extra_tags = [contact_import.tag_all] if contact_import.tag_all else []
    for number, cells in batch:
        try:
            row = contact_row(contact_import.mapping, cells)
        except RowError as exc:
            errors.append((number, str(exc)))
            continue
        row.tags += extra_tags
        earlier = records.get(row.phone)
        if earlier is not None:
            row.name = row.name or earlier.name
            row.fields = {**earlier.fields, **row.fields}
            row.tags = earlier.tags + row.tags
        records[row.phone] = row
    return records, errors


def _store_contacts(records: dict[str, ContactRow]) -> tuple[int, int]:
    """Create new contacts and update known ones; returns (created, updated)."""
    if not records:
        return 0, 0
    if connection.vendor == "postgresql":
        ids, created = _upsert_postgresql(records)
    else:
        ids, created = _upsert_portable(records)
    _add_tags(records, ids)
    return created, len(records) - created


# One statement per batch: a known contact keeps its name when the row has none, and its custom
# fields are merged with the row's (jsonb ||). `xmax = 0` marks rows this statement inserted
# (https://www.postgresql.org/docs/current/ddl-system-columns.html).
UPSERT_SQL = """
INSERT INTO campaigns_contact AS contact (
    phone, name, custom_fields, chat_id, lid, opted_out, opt_out_reason, created_at, updated_at
)
SELECT row.phone, row.name, row.fields, '', '', false, '', %(now)s, %(now)s
FROM jsonb_to_recordset(%(rows)s::jsonb) AS row(phone text, name text, fields jsonb)
ON CONFLICT (phone) DO UPDATE SET
    name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE contact.name END,
    custom_fields = contact.custom_fields || excluded.custom_fields,
    updated_at = excluded.updated_at
RETURNING contact.phone, contact.id, (contact.xmax = 0)
"""


TAG_LINKS_SQL = """
INSERT INTO campaigns_contact_tags (contact_id, tag_id)
SELECT contact_id, tag_id
FROM jsonb_to_recordset(%s::jsonb) AS link(contact_id bigint, tag_id bigint)
ON CONFLICT DO NOTHING
"""


def _upsert_postgresql(records: dict[str, ContactRow]) -> tuple[dict[str, int], int]:
    # The batch travels as one JSON document: one parameter to quote instead of thousands.
    batch = json.dumps(
        [{"phone": row.phone, "name": row.name, "fields": row.fields} for row in records.values()]
    )
    with connection.cursor() as cursor:
        cursor.execute(UPSERT_SQL, {"now": timezone.now(), "rows": batch})
        answers = cursor.fetchall()
    return {phone: pk for phone, pk, _ in answers}, sum(1 for *_, new in answers if new)


def _upsert_portable(records: dict[str, ContactRow]) -> tuple[dict[str, int], int]:
    known = {
        contact.phone: contact
        for contact in Contact.objects.filter(phone__in=records).only(
            "phone", "name", "custom_fields"
        )
    }
    contacts = []
    for phone, row in records.items():
        old = known.get(phone)
        contacts.append(
            Contact(
                phone=phone,
                name=row.name or (old.name if old else ""),
                custom_fields={**(old.custom_fields if old else {}), **row.fields},
            )
        )
    # An upsert, so a contact created meanwhile by someone else is updated, not an error.
    Contact.objects.bulk_create(
        contacts,
        update_conflicts=True,
        unique_fields=["phone"],
        update_fields=["name", "custom_fields", "updated_at"],
    )
    ids = dict(Contact.objects.filter(phone__in=records).values_list("phone", "pk"))
    return ids, len(records) - len(known)


def _add_tags(records: dict[str, ContactRow], ids: dict[str, int]) -> None:
    wanted = {name for row in records.values() for name in row.tags}
    if not wanted:
        return
    tags = {tag.name.lower(): tag.pk for tag in tags_named(sorted(wanted))}
    through = Contact.tags.through
    links = {
        (ids[phone], tags[name.strip()[:60].lower()])
        for phone, row in records.items()
        for name in row.tags
    }
    if connection.vendor != "postgresql":
        through.objects.bulk_create(
            [through(contact_id=contact, tag_id=tag) for contact, tag in links],
            ignore_conflicts=True,
        )
        return
    # As for the contacts: one statement, the links as one JSON parameter.
    with connection.cursor() as cursor:
        cursor.execute(
            TAG_LINKS_SQL, [json.dumps([{"contact_id": c, "tag_id": t} for c, t in links])]
        )


def _fail(contact_import: ContactImport, reason: str) -> None:
    ContactImport.objects.filter(pk=contact_import.pk).update(
        status=ContactImport.Status.FAILED, error=reason[:500], finished_at=timezone.now()
    )
    _forget_file(contact_import)


def _finish(contact_import: ContactImport) -> None:
    ContactImport.objects.filter(pk=contact_import.pk, status=ContactImport.Status.RUNNING).update(
        status=ContactImport.Status.FINISHED, finished_at=timezone.now()
    )
    _forget_file(contact_import)


def _forget_file(contact_import: ContactImport) -> None:
    """The uploaded file holds personal data and is not needed once the import has ended; the
    import's row keeps its counts and the error report."""
    file = contact_import.file
    if file.name:
        file.storage.delete(file.name)


def is_interrupted(contact_import: ContactImport) -> bool:
    """Running, but no batch committed for longer than any batch takes: its worker died."""
    return (
        contact_import.status == ContactImport.Status.RUNNING
        and contact_import.heartbeat_at is not None
        and timezone.now() - contact_import.heartbeat_at > STALE_AFTER
    )

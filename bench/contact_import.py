"""Contact import: rows per second and peak memory of a 100,000-row CSV with 5 custom fields.

    .venv/bin/python -m bench.contact_import [--quick] [--rows N]

Runs on PostgreSQL (`DATABASE_URL`, default a `switchboard_bench_contact_import` database on
127.0.0.1, made and dropped by the run). In the same run, over the same file:
- parse: the raw CSV row-parse rate (csv.reader, no database), the ceiling of any import;
- COPY: PostgreSQL `COPY` of the file into a plain table, the issue's yardstick;
- floor: the copied rows moved into the contact table by one `INSERT ... SELECT` inside
  PostgreSQL, no Python and no validation: what the table's unique phone and its indexes cost
  alone, so the fastest any import into it can be;
- import: the real import (`campaigns.imports.job.import_rows`, batches of 1,000 rows in one
  transaction each), every phone normalized, contacts upserted, half the rows carrying a tag.
Peak memory is the process's maximum resident set size after the import (it includes Django).
Target (issue 11): within 4x of COPY, under 250 MB.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

# A database of its own, so this benchmark never clobbers another one running at the same time.
os.environ.setdefault(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/switchboard_bench_contact_import"
)

# bench.stack reads DATABASE_URL when imported.
from bench.stack import bench_database


def write_file(path: Path, rows: int) -> None:
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["phone", "name", "city", "plan", "customer_id", "since", "note", "tags"])
        for n in range(rows):
            writer.writerow(
                [
                    f"+49151{n:08d}",
                    f"Person {n}",
                    ("Berlin", "Hamburg", "Köln")[n % 3],
                    ("gold", "silver")[n % 2],
                    f"C{n:07d}",
                    f"2025-{n % 12 + 1:02d}-01",
                    "likes long walks" if n % 5 else "",
                    "vip" if n % 2 else "",
                ]
            )


def parse_rate(path: Path) -> float:
    started = time.perf_counter()
    with open(path, newline="", encoding="utf-8") as file:
        count = sum(1 for _ in csv.reader(file)) - 1
    return count / (time.perf_counter() - started)


def copy_rate(path: Path, rows: int) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_copy (phone text, name text, city text, plan text, "
            "customer_id text, since text, note text, tags text)"
        )
        started = time.perf_counter()
        with (
            open(path, "rb") as file,
            cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := file.read(1 << 16):
                copy.write(chunk)
        elapsed = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_copy")
        assert cursor.fetchone()[0] == rows
    return rows / elapsed


# The custom fields as the import stores them; every row is new (the table is empty).
FLOOR_SQL = """
INSERT INTO campaigns_contact (
    phone, name, custom_fields, chat_id, lid, opted_out, opt_out_reason, created_at, updated_at
)
SELECT phone, name, jsonb_strip_nulls(jsonb_build_object(
    'city', city, 'plan', plan, 'customer_id', customer_id, 'since', since,
    'note', nullif(note, ''))), '', '', false, '', now(), now()
FROM bench_copy
"""


def floor_rate(rows: int) -> float:
    """Rows per second of the copied rows into the contact table, inside PostgreSQL; emptied
    again after, for the import."""
    from django.db import connection

    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(FLOOR_SQL)
        elapsed = time.perf_counter() - started
        assert cursor.rowcount == rows
        cursor.execute("TRUNCATE campaigns_contact CASCADE")
    return rows / elapsed


def import_rate(path: Path, rows: int) -> float:
    from django.core.files import File

    from campaigns.imports.job import import_rows
    from campaigns.imports.services import receive_upload
    from campaigns.models import Contact, ContactImport

    started = time.perf_counter()
    # Like Django's upload handler does for large files: the upload stays on disk.
    with open(path, "rb") as file:
        contact_import = receive_upload(File(file, name="bench.csv"))
    # What start_import does, without queueing a task for a worker that is not running.
    contact_import.status = ContactImport.Status.QUEUED
    contact_import.save()
    while import_rows(contact_import.pk, run_seconds=3600):
        pass
    elapsed = time.perf_counter() - started
    contact_import.refresh_from_db()
    assert contact_import.status == ContactImport.Status.FINISHED, contact_import.error
    assert Contact.objects.count() == rows == contact_import.created_count
    return rows / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 rows")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    rows = 10_000 if args.quick else args.rows

    from django.conf import settings

    with tempfile.TemporaryDirectory() as folder, bench_database():
        settings.MEDIA_ROOT = Path(folder) / "media"
        path = Path(folder) / "contacts.csv"
        write_file(path, rows)
        size_mb = path.stat().st_size / 1e6
        parse = parse_rate(path)
        copy = copy_rate(path, rows)
        floor = floor_rate(rows)
        rate = import_rate(path, rows)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"file: {rows} rows, {size_mb:.1f} MB")
    print(f"parse (csv.reader): {parse:,.0f} rows/s")
    print(f"COPY into a plain table: {copy:,.0f} rows/s")
    print(
        f"floor (INSERT ... SELECT into contacts): {floor:,.0f} rows/s ({copy / floor:.1f}x COPY)"
    )
    print(f"import: {rate:,.0f} rows/s ({copy / rate:.1f}x COPY), peak RSS {peak_mb:.0f} MB")
    print(
        f"RESULT rows={rows} import_rows_per_s={rate:.0f} copy_rows_per_s={copy:.0f} "
        f"parse_rows_per_s={parse:.0f} floor_rows_per_s={floor:.0f} "
        f"floor_copy_ratio={copy / floor:.2f} copy_ratio={copy / rate:.2f} "
        f"peak_rss_mb={peak_mb:.0f}"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()

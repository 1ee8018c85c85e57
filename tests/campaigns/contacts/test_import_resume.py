"""An interrupted import goes on from its last committed row and never imports a row twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_q.models import OrmQ

from campaigns.imports import job
from campaigns.imports.job import import_rows, is_interrupted
from campaigns.models import Contact, ContactImport
from tests.campaigns.contacts.imports import started

pytestmark = pytest.mark.django_db


def numbers_file(count: int, bad_every: int = 0) -> bytes:
    lines = ["phone,name"]
    for n in range(count):
        bad = bad_every and n % bad_every == 0
        lines.append(f"{'nope' if bad else f'+491512{n:07d}'},Person {n}")
    return ("\n".join(lines) + "\n").encode()


class WorkerKilled(Exception):
    pass


def test_a_run_stops_at_its_time_budget_and_asks_for_a_successor():
    contact_import = started(numbers_file(25))

    assert import_rows(contact_import.pk, batch_rows=10, run_seconds=0) is True

    contact_import.refresh_from_db()
    assert (contact_import.rows_done, Contact.objects.count()) == (11, 10)
    assert import_rows(contact_import.pk, batch_rows=10) is False
    assert Contact.objects.count() == 25


def test_a_killed_import_is_resumed_from_its_last_committed_batch(monkeypatch):
    contact_import = started(numbers_file(30, bad_every=7))
    real_store = job._store_contacts
    calls = []

    def dies_in_the_third_batch(records):
        calls.append(len(records))
        stored = real_store(records)
        if len(calls) == 3:
            raise WorkerKilled
        return stored

    monkeypatch.setattr(job, "_store_contacts", dies_in_the_third_batch)
    with pytest.raises(WorkerKilled):
        import_rows(contact_import.pk, batch_rows=10)

    contact_import.refresh_from_db()
    # Two batches committed with their position; the third rolled back entirely.
    assert (contact_import.rows_done, Contact.objects.count()) == (21, 17)
    assert contact_import.errors.count() == 3
    monkeypatch.setattr(job, "_store_contacts", real_store)

    assert import_rows(contact_import.pk, batch_rows=10) is False

    contact_import.refresh_from_db()
    assert contact_import.status == ContactImport.Status.FINISHED
    assert Contact.objects.count() == 25
    assert contact_import.created_count == 25
    assert contact_import.skipped_count == contact_import.errors.count() == 5
    assert list(contact_import.errors.values_list("row_number", flat=True)) == [2, 9, 16, 23, 30]


def test_a_second_task_for_a_moved_on_import_stops_without_importing():
    contact_import = started(numbers_file(5))
    stale_view = ContactImport.objects.get(pk=contact_import.pk)
    stale_view.status = ContactImport.Status.RUNNING
    import_rows(contact_import.pk)

    assert job._commit_batch(stale_view, [(2, ["+4915129999999", "Late"])]) is False
    assert not Contact.objects.filter(phone="+4915129999999").exists()


def test_an_import_silent_for_minutes_shows_where_it_stopped_and_can_resume(
    client_for, operator, django_capture_on_commit_callbacks
):
    contact_import = started(numbers_file(30))
    import_rows(contact_import.pk, batch_rows=10, run_seconds=0)
    ContactImport.objects.filter(pk=contact_import.pk).update(
        heartbeat_at=timezone.now() - timedelta(minutes=10)
    )
    contact_import.refresh_from_db()
    assert is_interrupted(contact_import)
    client = client_for(operator)

    page = client.get(reverse("contacts:import_detail", args=[contact_import.pk]))

    text = " ".join(page.content.decode().split())
    assert "The import stopped after row 11" in text
    assert "goes on from row 12" in text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("contacts:import_resume", args=[contact_import.pk]))
    assert [task.task["args"] for task in OrmQ.objects.all()][-1] == (contact_import.pk,)

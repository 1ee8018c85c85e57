"""django-q2 entry points for contacts: take ids, call one service, hand over when not done."""

from __future__ import annotations

from django_q.tasks import async_task

from campaigns.imports.job import import_rows
from campaigns.number_checks import check_numbers


def import_contacts(import_id: int) -> None:
    if import_rows(import_id):
        async_task(
            "campaigns.contact_tasks.import_contacts",
            import_id,
            group=f"contact-import-{import_id}",
        )


def run_number_check(check_id: int) -> None:
    if check_numbers(check_id):
        async_task(
            "campaigns.contact_tasks.run_number_check", check_id, group=f"number-check-{check_id}"
        )

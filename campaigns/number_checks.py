"""Is each contact's number on WhatsApp? Asked through an instance's engine, one number at a
time with a random pause between two checks: gateways ban numbers that look up many numbers
quickly, so checks are paced like sends.

A run is worked by one task at a time (a lease on its row). A task checks for about
`RUN_SECONDS`, then hands over to a successor, so a run of any length stays within django-q2's
task timeout; the pause drawn last is stored (`next_check_at`) so the hand-over keeps the pace.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_q.tasks import async_task

from campaigns.contact_services import record_check
from campaigns.models import Contact, NumberCheck, Tag
from instances.engine_cache import engine_for
from instances.engines.base import Capability, EngineError
from instances.models import Instance, InstanceStatus

RUN_SECONDS = 50.0
LEASE = timedelta(seconds=110)


class CheckRefused(ValueError):
    pass


def contacts_to_check(check: NumberCheck) -> QuerySet[Contact]:
    contacts = Contact.objects.all()
    if check.scope == NumberCheck.Scope.UNCHECKED:
        contacts = contacts.filter(checked_at__isnull=True)
    elif check.scope == NumberCheck.Scope.TAG:
        contacts = contacts.filter(tags=check.tag_id)
    return contacts


def start_number_check(
    instance: Instance, scope: str, tag: Tag | None = None, user=None
) -> NumberCheck:
    """Begin a paced check run; refused while the instance cannot check or already checks."""
    if not instance.supports(Capability.CHECK_EXISTS):
        raise CheckRefused(f"{instance.name} cannot check numbers ({instance.engine}).")
    if instance.status != InstanceStatus.WORKING:
        raise CheckRefused(f"{instance.name} is not linked and working; link it first.")
    if NumberCheck.objects.filter(instance=instance, status=NumberCheck.Status.RUNNING).exists():
        raise CheckRefused(f"{instance.name} is already checking numbers; one run at a time.")
    check = NumberCheck(
        instance=instance,
        scope=scope,
        tag=tag if scope == NumberCheck.Scope.TAG else None,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    check.total = contacts_to_check(check).count()
    check.save()
    transaction.on_commit(
        lambda: async_task(
            "campaigns.contact_tasks.run_number_check", check.pk, group=f"number-check-{check.pk}"
        )
    )
    return check


def stop_number_check(check: NumberCheck) -> None:
    NumberCheck.objects.filter(pk=check.pk, status=NumberCheck.Status.RUNNING).update(
        status=NumberCheck.Status.STOPPED, finished_at=timezone.now(), lease_until=None
    )


def check_numbers(
    check_id: int,
    *,
    run_seconds: float = RUN_SECONDS,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], datetime] = timezone.now,
    rng: random.Random | None = None,
) -> bool:
    """Check numbers of a run for about `run_seconds`; True when a successor should go on."""
    rng = rng or random.Random()  # noqa: S311 (pacing jitter, not security)
    deadline = clock() + run_seconds
    if not _take_lease(check_id, now()):
        return False
    check = NumberCheck.objects.select_related("instance").get(pk=check_id)
    while True:
        check.refresh_from_db(fields=["status"])
        if check.status != NumberCheck.Status.RUNNING:
            return False
        contact = (
            contacts_to_check(check).filter(pk__gt=check.last_contact_id).order_by("pk").first()
        )
        if contact is None:
            _end(check, NumberCheck.Status.FINISHED)
            return False
        if check.next_check_at is not None and check.next_check_at > now():
            wait = (check.next_check_at - now()).total_seconds()
            if clock() + wait > deadline:
                _release(check)
                return True
            sleep(wait)
        try:
            result = engine_for(check.instance).check_exists(contact.phone)
        except EngineError as exc:
            _end(check, NumberCheck.Status.FAILED, exc.message)
            return False
        record_check(contact, result.exists, result.chat_id, at=now())
        pause = rng.uniform(settings.NUMBER_CHECK_PAUSE_MIN, settings.NUMBER_CHECK_PAUSE_MAX)
        check.checked += 1
        check.found += int(result.exists)
        check.last_contact_id = contact.pk
        check.next_check_at = now() + timedelta(seconds=pause)
        check.lease_until = now() + LEASE
        check.save(
            update_fields=["checked", "found", "last_contact_id", "next_check_at", "lease_until"]
        )


def _take_lease(check_id: int, at: datetime) -> bool:
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=at)
    return bool(
        NumberCheck.objects.filter(free, pk=check_id, status=NumberCheck.Status.RUNNING).update(
            lease_until=at + LEASE
        )
    )


def _release(check: NumberCheck) -> None:
    NumberCheck.objects.filter(pk=check.pk).update(lease_until=None)


def _end(check: NumberCheck, status: str, error: str = "") -> None:
    NumberCheck.objects.filter(pk=check.pk, status=NumberCheck.Status.RUNNING).update(
        status=status, error=error[:300], finished_at=timezone.now(), lease_until=None
    )

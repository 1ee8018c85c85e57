from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import OrmQ

from instances import services
from instances.engines.base import Me
from instances.models import Attention, InstanceStatus, StatusChange
from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db
SOURCE = StatusChange.Source.POLL


def test_a_new_status_is_stored_with_its_transition():
    instance = InstanceFactory()
    changed = services.record_status(
        instance.pk, "WORKING", source=SOURCE, me=Me(id="4915123456789@c.us", push_name="Sales")
    )
    instance.refresh_from_db()
    assert changed
    assert instance.status == InstanceStatus.WORKING
    assert instance.phone == "+4915123456789"
    change = instance.status_changes.get()
    assert (change.from_status, change.to_status, change.source) == ("STOPPED", "WORKING", "poll")


def test_the_same_status_twice_records_one_transition():
    instance = InstanceFactory()
    services.record_status(instance.pk, "STARTING", source=SOURCE)
    assert not services.record_status(instance.pk, "STARTING", source=SOURCE)
    assert instance.status_changes.count() == 1


def test_an_older_webhook_never_overrides_a_newer_one():
    instance = InstanceFactory()
    # The engine's clock, which need not agree with ours.
    engine_now = timezone.now() - timedelta(hours=3)
    hook = StatusChange.Source.WEBHOOK
    services.record_status(instance.pk, "WORKING", source=hook, reported_at=engine_now)
    older = engine_now - timedelta(seconds=5)
    services.record_status(instance.pk, "SCAN_QR_CODE", source=hook, reported_at=older)
    instance.refresh_from_db()
    assert instance.status == InstanceStatus.WORKING
    newer = engine_now + timedelta(seconds=1)
    services.record_status(instance.pk, "FAILED", source=hook, reported_at=newer)
    instance.refresh_from_db()
    assert instance.status == InstanceStatus.FAILED


def test_an_unknown_engine_status_is_kept_as_unknown():
    instance = InstanceFactory()
    services.record_status(instance.pk, "PASSKEY_REQUIRED", source=SOURCE)
    instance.refresh_from_db()
    assert instance.status == InstanceStatus.UNKNOWN


def test_waiting_for_a_scan_unlinks_the_phone():
    instance = InstanceFactory(status=InstanceStatus.WORKING, phone="+4915123456789")
    services.record_status(instance.pk, "SCAN_QR_CODE", source=SOURCE)
    instance.refresh_from_db()
    assert instance.phone == ""


def test_failed_instance_is_restarted_once_then_needs_attention(django_capture_on_commit_callbacks):
    instance = InstanceFactory(status=InstanceStatus.WORKING)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_status(instance.pk, "FAILED", source=SOURCE)
    assert [task.task["func"] for task in OrmQ.objects.all()] == [
        "instances.tasks.restart_failed_instance"
    ]
    instance.refresh_from_db()
    assert instance.auto_restarted_at is not None
    assert instance.attention == Attention.NONE

    with django_capture_on_commit_callbacks(execute=True):
        services.record_status(instance.pk, "STARTING", source=SOURCE)
        services.record_status(instance.pk, "FAILED", source=SOURCE)
    instance.refresh_from_db()
    assert instance.attention == Attention.RESTART_FAILED
    assert OrmQ.objects.count() == 1


def test_working_again_clears_attention_and_rearms_the_automatic_restart():
    instance = InstanceFactory(
        status=InstanceStatus.FAILED,
        attention=Attention.RESTART_FAILED,
        auto_restarted_at=timezone.now(),
    )
    services.record_status(instance.pk, "WORKING", source=SOURCE)
    instance.refresh_from_db()
    assert instance.attention == Attention.NONE
    assert instance.auto_restarted_at is None


def test_automatic_restart_against_an_unreachable_engine_needs_attention():
    instance = InstanceFactory(status=InstanceStatus.FAILED)
    services.restart_failed_instance(instance)
    instance.refresh_from_db()
    assert instance.attention == Attention.RESTART_FAILED
    assert "127.0.0.1" in instance.last_error


def test_automatic_restart_can_be_switched_off(settings, django_capture_on_commit_callbacks):
    settings.INSTANCE_AUTO_RESTART = False
    instance = InstanceFactory(status=InstanceStatus.WORKING)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_status(instance.pk, "FAILED", source=SOURCE)
    instance.refresh_from_db()
    assert OrmQ.objects.count() == 0
    assert instance.attention == Attention.RESTART_FAILED


def test_a_working_instance_without_events_is_flagged_silent_until_an_event_arrives(settings):
    settings.INSTANCE_SILENCE_MINUTES = 30
    now = timezone.now()
    quiet = InstanceFactory(
        status=InstanceStatus.WORKING, last_event_at=now - timedelta(minutes=31)
    )
    chatty = InstanceFactory(
        status=InstanceStatus.WORKING, last_event_at=now - timedelta(minutes=5)
    )
    stopped = InstanceFactory(status=InstanceStatus.STOPPED, last_event_at=now - timedelta(hours=5))
    assert services.flag_silent_instances(now) == 1
    quiet.refresh_from_db(), chatty.refresh_from_db(), stopped.refresh_from_db()
    assert quiet.attention == Attention.SILENT
    assert chatty.attention == stopped.attention == Attention.NONE

    services.note_engine_event(quiet)
    quiet.refresh_from_db()
    assert quiet.attention == Attention.NONE


def test_polling_an_unreachable_engine_is_noted_not_raised():
    instance = InstanceFactory(status=InstanceStatus.WORKING)
    services.poll_status(instance)
    instance.refresh_from_db()
    assert instance.attention == Attention.UNREACHABLE
    assert instance.last_error.startswith("Cannot reach")
    assert instance.status == InstanceStatus.WORKING


def test_events_in_quick_succession_note_the_instance_once(django_assert_num_queries):
    now = timezone.now()
    instance = InstanceFactory(status=InstanceStatus.WORKING, last_event_at=now)

    with django_assert_num_queries(0):
        services.note_engine_event(instance, at=now + timedelta(seconds=5))
    services.note_engine_event(instance, at=now + timedelta(seconds=30))

    instance.refresh_from_db()
    assert instance.last_event_at == now + timedelta(seconds=30)

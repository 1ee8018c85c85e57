"""django-q2 entry points: take ids, load fresh rows, call one service."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django_q.tasks import async_task

from instances import services
from instances.models import Instance
from instances.outbound import dispatcher, media, pump, wake
from instances.outbound.reconcile import reconcile_history


def poll_statuses() -> None:
    """Every minute (a Schedule): fan out one poll per instance, then flag silent ones."""
    for instance_id in Instance.objects.values_list("pk", flat=True):
        async_task("instances.tasks.poll_instance_status", instance_id, group="instance-status")
    services.flag_silent_instances()


def poll_instance_status(instance_id: int) -> None:
    instance = Instance.objects.filter(pk=instance_id).first()
    if instance is not None:
        services.poll_status(instance)
        # Gateways that send without ids (chat-api) name their sends in the history.
        reconcile_history(instance)


def restart_failed_instance(instance_id: int) -> None:
    instance = Instance.objects.filter(pk=instance_id).first()
    if instance is not None:
        services.restart_failed_instance(instance)


def send_next(instance_id: int, slot: str | None = None) -> None:
    """The send of a turn the pump took; `slot` is when it may start (ISO 8601)."""
    dispatcher.send_next(instance_id, datetime.fromisoformat(slot) if slot else None)


def send_turns(turns: list[tuple[int, str]]) -> None:
    """Several instances' turns the pump took in one pass; slots in ISO 8601."""
    dispatcher.send_turns([(pk, datetime.fromisoformat(slot)) for pk, slot in turns])


def send_bursts(instance_ids: list[int]) -> None:
    """The next bursts of several instances (pacing off), side by side."""
    dispatcher.send_bursts(instance_ids)


def pump_outbound(patient: bool = False) -> None:
    """Pace and hand out sends for a while, handing over to a successor (`pump.run_pump`)."""
    pump.run_pump(patient=patient)


def ensure_pump() -> None:
    """Every minute (a Schedule): recover sends a dead worker left, look unconfirmed ones up,
    and start the pump when work lies ahead and none runs (it ended idle, or died with its
    worker)."""
    dispatcher.recover_stale_sends()
    dispatcher.reconcile_unconfirmed()
    if pump.has_work_ahead(timezone.now()):
        wake.wake_pump()


def delete_finished_media() -> None:
    """Every 15 minutes (a Schedule): delete the uploaded files finished messages no longer need."""
    media.delete_finished_media()
